/**
 * TIME_SPEC for `--since`/`--until`: a duration back from now (`30s`, `15m`, `24h`, `7d`, `2w`) as in the
 * original client, or an ISO date (`2024-05-01`) or date-time (`2024-05-01T12:00:00Z`). A date-time without
 * an offset is read as UTC, so the same command means the same thing on every machine.
 */

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+)\s*([smhdw])$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a TIME_SPEC relative to `now`; throws an Error whose message explains the accepted forms. A duration
 * reaches back from now, or ahead with `direction` 'future' (`--expires 30d`: in 30 days).
 */
export function parseTimeSpec(spec: string, now: Date, direction: 'past' | 'future' = 'past'): Date {
  const text = spec.trim();
  const duration = DURATION.exec(text);
  if (duration) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2]!.toLowerCase()]!;
    return new Date(now.getTime() + (direction === 'future' ? ms : -ms));
  }
  if (ISO_DATE.test(text) || ISO_DATE_TIME.test(text)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) && !ISO_DATE.test(text);
    const iso = ISO_DATE.test(text) ? `${text}T00:00:00Z` : hasZone ? text : `${text.replace(' ', 'T')}Z`;
    const date = new Date(iso);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new Error(
    `invalid time "${spec}": use a duration like 30s, 15m, 24h, 7d or 2w, or an ISO date such as 2024-05-01`,
  );
}
