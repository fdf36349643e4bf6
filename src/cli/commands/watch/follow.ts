/**
 * The polling loop of `fullstop watch`. Each poll asks for the violations from an id on (`last-violation`, which
 * the server reads as "this id or higher"), oldest first, a page at a time until a page comes back short, and
 * prints those it has not printed yet. Transient failures (no answer, 5xx, 429: what the client's own retries did
 * not overcome) back off and try again with a note on stderr; a refused token or a bad request end the command.
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
  /** How long a lower id may take to become visible after a higher one; see SETTLE_MS. */
  settleMs?: number;
}

/**
 * PostgreSQL hands out ids when a transaction inserts, not when it commits, so with concurrent writers (server
 * replicas, a violation created through the API during an ingest) a lower id can become visible after a higher
 * one. Each poll therefore reads again from the newest id seen this long ago, skipping the ids already printed. A
 * single SQLite writer commits ids in order, and the re-read merely finds nothing new.
 */
export const SETTLE_MS = 60_000;

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
  const settleMs = options.settleMs ?? SETTLE_MS;
  let cursor: number | undefined = options.since ? 0 : undefined;
  const base: ViolationQuery = options.since ? { ...query, from: options.since } : query;
  /** The newest id seen after each poll, oldest first: where the re-read window starts. */
  const marks: Array<{ at: number; cursor: number }> = [];
  /** Ids above the window's start that were printed (or filtered out) already. */
  const seen = new Set<number>();

  const windowStart = (now: number): number => {
    while (marks.length > 1 && marks[1]!.at <= now - settleMs) marks.shift();
    return marks[0]!.cursor;
  };

  const poll = async () => {
    const now = Date.now();
    if (cursor === undefined) {
      cursor = (await client.listViolations({ ...base, size: 1 })).content[0]?.id ?? 0;
      marks.push({ at: now, cursor });
      return;
    }
    if (marks.length === 0) marks.push({ at: now, cursor });
    const low = windowStart(now);
    for (const id of seen) if (id <= low) seen.delete(id);
    for (let next = low + 1; ;) {
      const page = await client.listViolations({ ...base, 'last-violation': next, sort: 'id,ASC', size: PAGE_SIZE });
      let last = next - 1;
      for (const violation of page.content) {
        last = Math.max(last, violation.id);
        if (violation.id <= low || seen.has(violation.id)) continue;
        seen.add(violation.id);
        cursor = Math.max(cursor, violation.id);
        if (!matches || matches(violation)) options.onViolation(violation);
      }
      // A short page is the end; a server that ignores `last-violation` must not keep this loop going.
      if (page.content.length < PAGE_SIZE || last < next) break;
      next = last + 1;
    }
    marks.push({ at: now, cursor });
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
