/** `-m/--meta k=v[,k2=v2]`: parsed at flag time, matched against each violation's `meta_info`. */
import { asObject } from '../shared/guards.js';

export type MetaFilter = Array<[key: string, value: string]>;

/** Parses `k=v[,k2=v2]`; throws on an entry without `=`. */
export function parseMetaFilter(text: string): MetaFilter {
  return text
    .split(',')
    .filter((pair) => pair.trim() !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`invalid meta filter "${pair.trim()}": use key=value[,key2=value2]`);
      return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    });
}

function metaObject(meta: unknown): Record<string, unknown> | undefined {
  let value = meta;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return asObject(value);
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/**
 * The spellings a filter value may use for `value`. The original compared Python's `str()` of the value, so
 * `flag=True` matched a JSON `true` and `key=None` a null or missing key; those keep working beside `true`/`null`.
 */
function spellings(value: unknown): string[] {
  if (value === undefined) return ['None'];
  if (value === null) return ['null', 'None'];
  if (typeof value === 'boolean') return [String(value), value ? 'True' : 'False'];
  return [asText(value)];
}

/** True when `meta` is an object (or JSON text of one) holding every `key=value` of the filter. */
export function metaMatches(meta: unknown, filter: MetaFilter): boolean {
  if (filter.length === 0) return true;
  const object = metaObject(meta);
  if (!object) return false;
  return filter.every(([key, value]) =>
    spellings(Object.hasOwn(object, key) ? object[key] : undefined).includes(value),
  );
}
