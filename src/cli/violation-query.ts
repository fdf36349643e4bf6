/** Turns parsed filter flags into the API query and the client-side predicate, for both listing commands. */
import type { ViolationQuery } from '../client/client.js';
import type { Violation } from '../shared/violation.js';
import { violationMatcher } from './filters.js';
import type { FilterOptions } from './options.js';

/**
 * The query the original client sends (`accounts`, `from`, `type`, `severity`, `application-ids`,
 * `application-version-ids`), `types` for a list, and what a newer server filters itself (`regions`, `meta`).
 */
export function toViolationQuery(opts: FilterOptions, accounts: string[]): Omit<ViolationQuery, 'page' | 'size' | 'checked'> {
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
    meta: opts.meta?.map(([key, value]) => `${key}=${value}`).join(','),
  };
}

/** The client-side filter for `--region`, `--meta` and `--remeta`, or undefined when none was given. */
export async function toMatcher(opts: FilterOptions): Promise<((v: Violation) => boolean) | undefined> {
  const remeta = opts.remeta && { regex: opts.remeta, format: (await import('./output/meta-info.js')).formatMetaInfo };
  return violationMatcher({ regions: opts.region, meta: opts.meta, remeta });
}
