/**
 * Client-side filters of list-violations and resolve-violations: `--region`, `--instance-ids`, `-m/--meta`, `-x/--remeta`.
 * They keep the original client's meaning, and are applied even when a newer server filters too, because
 * the original server ignores them.
 */
import type { Violation } from '../shared/violation.js';
import { metaMatches, type MetaFilter } from './meta-filter.js';

/** Renders meta info as the original printed it: `formatMetaInfo` of output/meta-info.ts. */
export type MetaFormatter = (meta: unknown) => string;

/** True when the regex matches at the start of the formatted meta info (Python's `re.match`, as the original). */
export function remetaMatches(meta: unknown, regex: RegExp, format: MetaFormatter): boolean {
  const text = format(meta);
  if (text === '') return false;
  const sticky = new RegExp(regex.source, `${regex.flags.replace(/[gy]/g, '')}y`);
  return sticky.test(text);
}

export interface ViolationFilter {
  regions?: string[] | undefined;
  instanceIds?: string[] | undefined;
  meta?: MetaFilter | undefined;
  /** `format` is passed in because it loads yaml (~50 ms): callers import it only when --remeta is given. */
  remeta?: { regex: RegExp; format: MetaFormatter } | undefined;
}

/** Builds the client-side predicate, or undefined when no client-side filter is active. */
export function violationMatcher(filter: ViolationFilter): ((v: Violation) => boolean) | undefined {
  const { regions, instanceIds, meta, remeta } = filter;
  const active =
    (regions && regions.length > 0) || (instanceIds && instanceIds.length > 0) || (meta && meta.length > 0) || remeta;
  if (!active) return undefined;
  return (v) =>
    (!regions || regions.length === 0 || (v.region !== null && regions.includes(v.region))) &&
    (!instanceIds || instanceIds.length === 0 || (v.instance_id !== null && instanceIds.includes(v.instance_id))) &&
    (!meta || metaMatches(v.meta_info, meta)) &&
    (!remeta || remetaMatches(v.meta_info, remeta.regex, remeta.format));
}
