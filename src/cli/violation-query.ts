/** Turns parsed filter flags into the API query and the client-side predicate, for both listing commands. */
import type { ViolationQuery } from '../client/client.js';
import type { Violation } from '../shared/violation.js';
import { violationMatcher } from './filters.js';
import type { MetaFilter } from './meta-filter.js';
import type { FilterOptions } from './options.js';

/**
 * The query the original client sends (`accounts`, `from`, `type`, `severity`, `application-ids`,
 * `application-version-ids`), `types` for a list, and what a newer server filters itself (`regions`, `instance-ids`, `meta`).
 */
export function toViolationQuery(
  opts: FilterOptions,
  accounts: string[],
): Omit<ViolationQuery, 'page' | 'size' | 'checked'> {
  const types = opts.type ?? [];
  return {
    accounts,
    from: opts.since,
    to: opts.until,
    ...(types.length === 1 ? { type: types[0] } : { types }),
    severity: opts.severity,
    'application-ids': opts.applications,
    'application-version-ids': opts.applicationVersions,
    regions: opts.region,
    'instance-ids': opts.instanceIds,
    meta: serverMeta(opts.meta),
  };
}

/** Values the client matches by Python's `str()` spelling (meta-filter.ts) and a newer server would not. */
const CLIENT_ONLY_VALUES = new Set(['True', 'False', 'None', 'null']);

/** The `meta` parameter: the pairs a newer server matches as the client does; the client filters all of them. */
function serverMeta(meta: MetaFilter | undefined): string | undefined {
  const pairs = (meta ?? []).filter(([, value]) => !CLIENT_ONLY_VALUES.has(value));
  return pairs.length > 0 ? pairs.map(([key, value]) => `${key}=${value}`).join(',') : undefined;
}

/** The client-side filter for `--region`, `--instance-ids`, `--meta` and `--remeta`, or undefined when none was given. */
export async function toMatcher(opts: FilterOptions): Promise<((v: Violation) => boolean) | undefined> {
  const remeta = opts.remeta && { regex: opts.remeta, format: (await import('./output/meta-info.js')).formatMetaInfo };
  return violationMatcher({ regions: opts.region, instanceIds: opts.instanceIds, meta: opts.meta, remeta });
}
