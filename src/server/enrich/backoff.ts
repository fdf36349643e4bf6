/**
 * When a pending evaluation is tried again. Failures that may pass (timeouts, 5xx, throttling, refused access)
 * are retried soon and then less often: 5 s after the first attempt, doubling up to an hour, with ±20 % jitter
 * so that rows failed together do not all come back together. A failure that asking again will not fix (a
 * malformed answer: a misconfigured URL, a registry speaking another protocol) waits six hours; a changed
 * configuration makes every row due at once anyway.
 */
export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 3_600_000;
export const NOT_RETRYABLE_RETRY_MS = 6 * 3_600_000;

/** The delay before the next attempt, after `attempts` attempts failed. */
export function retryDelayMs(attempts: number, retryable: boolean, random: () => number = Math.random): number {
  if (!retryable) return NOT_RETRYABLE_RETRY_MS;
  const exponent = Math.min(Math.max(attempts, 1) - 1, 20);
  const base = Math.min(FIRST_RETRY_MS * 2 ** exponent, MAX_RETRY_MS);
  return Math.round(base * (0.8 + 0.4 * random()));
}
