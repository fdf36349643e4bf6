/**
 * A short fingerprint of the configuration evaluations run under (the `rules` and `enrichment` sections). A
 * pending evaluation that failed under another one is due at once: the fix may have been a configuration change.
 * Secrets enter only through the hash.
 */
import { createHash } from 'node:crypto';
import type { RulesConfig } from '../rules/config-schema.js';
import type { EnrichmentConfig } from './config-schema.js';

/** JSON with object keys sorted, so equal configurations give equal text whatever the key order in the file. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function configFingerprint(rules: RulesConfig | undefined, enrichment: EnrichmentConfig | undefined): string {
  return createHash('sha256')
    .update(canonical({ rules: rules ?? {}, enrichment: enrichment ?? {} }))
    .digest('hex')
    .slice(0, 16);
}
