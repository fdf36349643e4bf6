/**
 * Field readers for API answers: the original server sends nulls for absent values, numbers where a string may be
 * expected, and dates as ISO strings or (older Jackson set-ups) epoch millis.
 */

/** A string, or a number or boolean as text; null for anything else. */
export function str(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A finite number, or null. */
export function int(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** An ISO date-time: kept as sent when a string, converted from epoch millis when a number; else null. */
export function date(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  return typeof value === 'string' ? value : null;
}
