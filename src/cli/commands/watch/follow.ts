/**
 * The polling loop of `fullstop watch`. Each poll asks for the violations after the newest one seen
 * (`last-violation`, which the server reads as "this id or higher", hence +1), oldest first, until a page
 * comes back short. Transient failures (no answer, 5xx, 429: what the client's own retries did not overcome)
 * back off and try again with a note on stderr; a refused token or a bad request end the command. Ids are
 * assumed to become visible in order, as they do with SQLite's single writer; a store that commits ids out of
 * order could let a violation slip behind the cursor.
 */
import { setTimeout as wait } from 'node:timers/promises';
import type { FullstopClient, ViolationQuery } from '../../../client/client.js';
import { ApiError, AuthError, InvalidResponseError, NetworkError, TimeoutError } from '../../../client/errors.js';
import type { Violation } from '../../../shared/violation.js';

export interface FollowOptions {
  client: FullstopClient;
  /** Server-side filters (accounts, types, `from`, …). */
  query: ViolationQuery;
  /** Client-side filter, as list-violations applies it. */
  matches?: ((v: Violation) => boolean) | undefined;
  /** Print what arrived since then first; without it only violations newer than the newest at start. */
  since?: Date | undefined;
  intervalMs: number;
  /** The longest wait between polls while the server fails. */
  maxBackoffMs?: number;
  /** Ends the loop (Ctrl-C, SIGTERM): `follow` then resolves. */
  signal: AbortSignal;
  onViolation(violation: Violation): void;
  /** Diagnostics: failures and recoveries. */
  onNote(text: string): void;
}

const PAGE_SIZE = 500;

/** Failures worth waiting out; anything else (401/403, 400, 404) ends the command. */
export function isTransient(error: unknown): boolean {
  if (error instanceof AuthError) return false;
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429;
  return error instanceof NetworkError || error instanceof TimeoutError || error instanceof InvalidResponseError;
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.method} ${error.url}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/** Polls until `options.signal` aborts; rejects with the error that ended it otherwise. */
export async function follow(options: FollowOptions): Promise<void> {
  const { client, query, matches, signal, intervalMs } = options;
  const maxBackoffMs = Math.max(intervalMs, options.maxBackoffMs ?? 300_000);
  let cursor: number | undefined = options.since ? 0 : undefined;
  const base: ViolationQuery = options.since ? { ...query, from: options.since } : query;

  const poll = async () => {
    if (cursor === undefined) {
      cursor = (await client.listViolations({ ...base, size: 1 })).content[0]?.id ?? 0;
      return;
    }
    for (;;) {
      const page = await client.listViolations({
        ...base,
        'last-violation': cursor + 1,
        sort: 'id,ASC',
        size: PAGE_SIZE,
      });
      let fresh = 0;
      for (const violation of page.content) {
        if (violation.id <= cursor) continue;
        cursor = violation.id;
        fresh++;
        if (!matches || matches(violation)) options.onViolation(violation);
      }
      if (fresh === 0 || page.content.length < PAGE_SIZE) return;
    }
  };

  let failures = 0;
  while (!signal.aborted) {
    let delay = intervalMs;
    try {
      await poll();
      if (failures > 0)
        options.onNote(`the server answers again (after ${failures} failed poll${failures > 1 ? 's' : ''})`);
      failures = 0;
    } catch (error) {
      if (signal.aborted) return;
      if (!isTransient(error)) throw error;
      failures++;
      delay = Math.min(maxBackoffMs, intervalMs * 2 ** failures);
      options.onNote(`${describe(error)}; trying again in ${Math.round(delay / 100) / 10} s`);
    }
    try {
      await wait(delay, undefined, { signal });
    } catch {
      return;
    }
  }
}
