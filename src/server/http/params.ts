/**
 * Query-parameter schemas and parsers shared by the routes: Spring-style lists (comma-separated or repeated),
 * booleans, ISO date-times with any fraction, and `sort=prop[,prop…][,asc|desc]` (fullstop-api.md §1.1).
 */
import { Type } from '@sinclair/typebox';
import { SORTABLE_PROPERTIES, type SortProperty, type SortSpec } from '../model.js';
import type { SortOrder } from '../../shared/violation.js';
import { badRequest } from './errors.js';

/** Repeated or comma-separated values; fastify's `coerceTypes: 'array'` turns a single value into a list. */
export const ListParam = (description: string) =>
  Type.Array(Type.String(), { description: `${description}; comma-separated or repeated` });

const BOOLEAN_WORDS = ['true', 'false', 'on', 'off', 'yes', 'no', '1', '0'];
const caseInsensitive = (word: string) =>
  [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
export const BOOL_PATTERN = `^(?:${BOOLEAN_WORDS.map(caseInsensitive).join('|')})$`;
/** The spellings Spring accepts for a boolean, in any case. */
export const BoolParam = (description: string) =>
  Type.String({ pattern: BOOL_PATTERN, description: `${description} (true or false)` });

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
export const DATE_TIME_PATTERN = DATE_TIME.source;
/** An ISO-8601 date-time; without an offset it is UTC. */
export const DateTimeParam = (description: string) =>
  Type.String({
    pattern: DATE_TIME_PATTERN,
    description: `${description}: ISO-8601 date-time, e.g. 2015-05-21T10:24:47.788Z`,
  });

export function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  return ['true', 'on', 'yes', '1'].includes(value.toLowerCase());
}

/**
 * Spring binds an empty query value (`checked=`, `severity=`, `from=`) as if the parameter were absent: the
 * `defaultValue` or null. Dropping such values before validation gives the same answers instead of a 400.
 */
export function dropEmptyQueryValues(query: unknown): void {
  if (typeof query !== 'object' || query === null) return;
  const record = query as Record<string, unknown>;
  for (const [name, value] of Object.entries(record)) if (value === '') delete record[name];
}

/** Epoch milliseconds; digits of the fraction past the millisecond are dropped, as Joda-Time parses them in the original. */
export function parseDateTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = DATE_TIME.exec(value);
  if (m === null) throw badRequest(`${name}: expected an ISO-8601 date-time, got '${value}'`);
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const base = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(base);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw badRequest(`${name}: not a valid date-time: '${value}'`);
  }
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  return base - offsetMinutes * 60_000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
}

/** Splits comma-separated entries of a list parameter and drops empty ones; undefined when nothing is left. */
export function parseList(values: readonly string[] | undefined): string[] | undefined {
  const items = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return items.length === 0 ? undefined : items;
}

/** `k=v` pairs of the `meta` parameter. */
export function parseMeta(values: readonly string[] | undefined): Array<[string, string]> | undefined {
  const pairs = parseList(values)?.map((item): [string, string] => {
    const at = item.indexOf('=');
    if (at <= 0) throw badRequest(`meta: expected key=value, got '${item}'`);
    return [item.slice(0, at).trim(), item.slice(at + 1).trim()];
  });
  return pairs;
}

const SORTABLE = new Set<string>(SORTABLE_PROPERTIES);

/** Spring Data's `sort` parameter: each value is `prop[,prop…][,asc|desc]`; the direction applies to its properties. */
export function parseSort(values: readonly string[] | undefined): SortSpec[] {
  const specs: SortSpec[] = [];
  for (const value of values ?? []) {
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const last = parts.at(-1)?.toUpperCase();
    const direction = last === 'ASC' || last === 'DESC' ? last : 'ASC';
    const properties = last === 'ASC' || last === 'DESC' ? parts.slice(0, -1) : parts;
    for (const property of properties) {
      if (!SORTABLE.has(property))
        throw badRequest(`sort: unknown property '${property}'; sortable: ${SORTABLE_PROPERTIES.join(', ')}`);
      specs.push({ property: property as SortProperty, direction });
    }
  }
  return specs;
}

/** The envelope's `sort`: Spring's serialised `Sort.Order`s. */
export function sortOrders(specs: readonly SortSpec[]): SortOrder[] {
  return specs.map(({ property, direction }) => ({
    direction,
    property,
    ignore_case: false,
    null_handling: 'NATIVE',
    ascending: direction === 'ASC',
    descending: direction === 'DESC',
  }));
}
