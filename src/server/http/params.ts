/**
 * Query-parameter schemas and parsers shared by the routes: Spring-style lists (comma-separated or repeated),
 * booleans, ISO date-times with any fraction, and `sort=prop[,prop…][,asc|desc]`, as Spring Data's pageable reads it.
 */
import { Type } from '@sinclair/typebox';
import { SORTABLE_PROPERTIES, type SortSpec } from '../model.js';
import type { SortOrder } from '../../shared/violation.js';
import { badRequest } from './errors.js';

/** Repeated or comma-separated values; fastify's `coerceTypes: 'array'` turns a single value into a list. */
export const ListParam = (description: string) =>
  Type.Array(Type.String(), { description: `${description}; comma-separated or repeated` });

const INT_MAX = 2 ** 31 - 1;
/** A Java `int` parameter: Spring answers 400 outside its range, and so does this server. */
export const IntParam = (description?: string) =>
  Type.Integer({ minimum: -INT_MAX - 1, maximum: INT_MAX, ...(description ? { description } : {}) });
/** A Java `long` id, limited to the integers a JavaScript number holds exactly. */
export const IdParam = (description?: string) =>
  Type.Integer({
    minimum: -Number.MAX_SAFE_INTEGER,
    maximum: Number.MAX_SAFE_INTEGER,
    ...(description ? { description } : {}),
  });

/**
 * Spring Data's PageableHandlerMethodArgumentResolver never rejects a page or size: a number it cannot read as
 * an `int` counts as 0, a negative page as 0, a size below 1 as the default and one above the maximum as the
 * maximum.
 */
export function pageAndSize(
  page: number | undefined,
  size: number | undefined,
  defaults: { size: number; maxSize: number },
): { page: number; size: number } {
  const asInt = (n: number | undefined) => (n === undefined ? undefined : Math.abs(n) <= INT_MAX ? n : 0);
  const p = asInt(page) ?? 0;
  const s = asInt(size) ?? defaults.size;
  return { page: Math.max(p, 0), size: s < 1 ? defaults.size : Math.min(s, defaults.maxSize) };
}

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

/**
 * The instants a date can take at any boundary: years 0001 to 9999, which both `Date` and the wire format
 * (`2015-04-14T19:09:01.000Z`, a four-digit year) can hold, so that every stored date can be served again.
 */
export const MIN_DATE_MS = new Date('0001-01-01T00:00:00.000Z').getTime();
export const MAX_DATE_MS = new Date('9999-12-31T23:59:59.999Z').getTime();
const DATE_RANGE = '0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z';

/** Epoch milliseconds within the supported range, else a 400 naming the field. */
export function checkDateRange(name: string, ms: number, shown: string): number {
  if (!Number.isFinite(ms) || ms < MIN_DATE_MS || ms > MAX_DATE_MS)
    throw badRequest(`${name}: '${shown}' is outside the supported range ${DATE_RANGE}`);
  return ms;
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
  // Not Date.UTC: it reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw badRequest(`${name}: not a valid date-time: '${value}'`);
  }
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
    // java.time's limits for an offset.
    if (hours > 18 || minutes > 59 || (hours === 18 && minutes > 0))
      throw badRequest(`${name}: not a valid UTC offset (at most ±18:00): '${value}'`);
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  const ms = date.getTime() - offsetMinutes * 60_000 + Number(fraction.slice(0, 3).padEnd(3, '0'));
  return checkDateRange(name, ms, value);
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
  return parseSortOf(values, SORTABLE_PROPERTIES, SORTABLE);
}

/** `parseSort` for another entity's properties. */
export function parseSortOf<P extends string>(
  values: readonly string[] | undefined,
  properties: readonly P[],
  known: ReadonlySet<string> = new Set(properties),
): Array<{ property: P; direction: 'ASC' | 'DESC' }> {
  const specs: Array<{ property: P; direction: 'ASC' | 'DESC' }> = [];
  for (const value of values ?? []) {
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    const last = parts.at(-1)?.toUpperCase();
    const direction = last === 'ASC' || last === 'DESC' ? last : 'ASC';
    const names = last === 'ASC' || last === 'DESC' ? parts.slice(0, -1) : parts;
    for (const property of names) {
      if (!known.has(property))
        throw badRequest(`sort: unknown property '${property}'; sortable: ${properties.join(', ')}`);
      specs.push({ property: property as P, direction });
    }
  }
  return specs;
}

/** The envelope's `sort`: Spring's serialised `Sort.Order`s. */
export function sortOrders(specs: ReadonlyArray<{ property: string; direction: 'ASC' | 'DESC' }>): SortOrder[] {
  return specs.map(({ property, direction }) => ({
    direction,
    property,
    ignore_case: false,
    null_handling: 'NATIVE',
    ascending: direction === 'ASC',
    descending: direction === 'DESC',
  }));
}
