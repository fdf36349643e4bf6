/**
 * Pages through `GET /api/violations` newest first until enough rows pass the caller's filter. The original
 * client asked for `--limit` rows and then filtered, silently printing fewer; this keeps asking instead.
 */
import type { Violation } from '../shared/violation.js';
import type { FullstopClient, ViolationQuery } from './client.js';

/** The original server's (Spring Data's) largest page. */
export const MAX_PAGE_SIZE = 2000;

export interface CollectOptions {
  client: FullstopClient;
  query: Omit<ViolationQuery, 'page' | 'size' | 'checked'>;
  /** How many matching rows to return. */
  limit: number;
  /** Client-side filter; when absent every row counts. */
  matches?: (violation: Violation) => boolean;
  /** Merge the resolved violations (`checked=true`) in with the open ones. */
  includeResolved?: boolean;
}

/** Yields the violations of one listing, newest (highest id) first, page by page. */
export async function* streamViolations(
  client: FullstopClient,
  query: ViolationQuery,
  pageSize: number,
): AsyncGenerator<Violation> {
  const seen = new Set<number>();
  for (let page = 0; ; page++) {
    const result = await client.listViolations({ ...query, page, size: pageSize });
    let fresh = 0;
    for (const violation of result.content) {
      // A server that ignores `page` sends page 0 again: stop rather than loop forever.
      if (seen.has(violation.id)) continue;
      seen.add(violation.id);
      fresh++;
      yield violation;
    }
    if (result.last || fresh === 0 || result.content.length < pageSize) return;
  }
}

/** Merges streams that are each sorted by id descending into one stream sorted by id descending. */
export async function* mergeNewestFirst(streams: AsyncGenerator<Violation>[]): AsyncGenerator<Violation> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    heads.forEach((head, index) => {
      if (head.done) return;
      const current = best >= 0 ? heads[best] : undefined;
      if (!current || current.done || head.value.id > current.value.id) best = index;
    });
    if (best < 0) return;
    const head = heads[best]!;
    if (head.done) return;
    yield head.value;
    heads[best] = await streams[best]!.next();
  }
}

/** Returns up to `limit` violations that pass `matches`, newest first, asking the server page by page. */
export async function collectViolations(options: CollectOptions): Promise<Violation[]> {
  const { client, query, limit, matches } = options;
  if (limit <= 0) return [];
  // Without a client-side filter one page of `limit` rows is the answer, exactly as the original asked;
  // with one, bigger pages save round trips.
  const pageSize = Math.min(MAX_PAGE_SIZE, matches ? Math.max(limit, 100) : limit);
  const open = streamViolations(client, query, pageSize);
  const stream = options.includeResolved
    ? mergeNewestFirst([open, streamViolations(client, { ...query, checked: true }, pageSize)])
    : open;
  const rows: Violation[] = [];
  for await (const violation of stream) {
    if (matches && !matches(violation)) continue;
    rows.push(violation);
    if (rows.length >= limit) break;
  }
  return rows;
}
