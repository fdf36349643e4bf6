/**
 * Ingesting a listing (a folder, an S3 prefix): the listed objects the store has already are counted and skipped,
 * a batch of lookups at a time; the others are claimed in the store a batch at a time just before they are read
 * (`claimObjects`), so that server replicas listing the same prefix split it. An object another replica holds is
 * left to it: a polling server lists it again at its next poll (committed by then, or, if that replica died, its
 * lease expired), a one-shot run waits for it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CommitBatcher } from './commit-batcher.js';
import { chunks, forEachLimited } from './for-each-limited.js';
import type { IngestContext } from './ingest-types.js';
import { knownKeys, processObject, skipped } from './process-object.js';
import type { IncrementalListing, ListingSource, SourceFilter, SourceObject } from './source.js';

/** Files in flight at once with enrichment on: they also wait for look-ups, which more of them keep busy. */
const ENRICHING_FILES = 32;

/** Listed objects checked against the store per query. */
const LOOKUP_BATCH = 256;
/**
 * Listed objects claimed per query, just before they are needed: as many as one commit takes, so that a claim costs
 * little per file, and few enough that replicas sharing a listing end it together.
 */
export const CLAIM_BATCH = 64;
/** How often a one-shot run looks again at objects another replica holds. */
export const CLAIM_RETRY_MS = 1000;

/** What one listing pass claimed and has not finished, and what it left to other replicas. */
interface PassClaims {
  open: Set<string>;
  elsewhere: SourceObject[];
}

/**
 * The listed objects the store does not have yet, looked up a batch at a time (the others are counted as done),
 * and claimed CLAIM_BATCH at a time as they are needed: only claimed objects are yielded.
 */
async function* newObjects(
  source: ListingSource,
  filter: SourceFilter,
  ctx: IngestContext,
  claims: PassClaims,
  signal?: AbortSignal,
  incremental?: IncrementalListing,
): AsyncGenerator<SourceObject> {
  for await (const batch of chunks(source.list(filter, signal, incremental), LOOKUP_BATCH)) {
    const { done, failed } = await knownKeys(source.objectSource, batch, ctx);
    const fresh: SourceObject[] = [];
    for (const object of batch) {
      ctx.summary.files += 1;
      if (done.has(object.key)) skipped(source.objectSource, object, ctx, false);
      else if (failed.has(object.key)) skipped(source.objectSource, object, ctx, true);
      else fresh.push(object);
    }
    for (let i = 0; i < fresh.length; i += CLAIM_BATCH) {
      if (signal?.aborted) return;
      yield* claimed(source, fresh.slice(i, i + CLAIM_BATCH), ctx, claims);
    }
  }
}

/** Claims `objects` and yields those claimed; the ones committed meanwhile count as done, the rest as held elsewhere. */
async function* claimed(
  source: ListingSource,
  objects: SourceObject[],
  ctx: IngestContext,
  claims: PassClaims,
): AsyncGenerator<SourceObject> {
  const { claimed, done } = await ctx.store.claimObjects(source.objectSource, objects);
  // Every claim is open from now on, not only those yielded so far: a pass that fails before it reads them all
  // must give up the rest too, or they would stay held (and renewed) by this process, read by no one.
  for (const key of claimed) claims.open.add(key);
  for (const object of objects) {
    if (claimed.has(object.key)) yield object;
    else if (done.has(object.key)) skipped(source.objectSource, object, ctx, false);
    else {
      ctx.summary.filesClaimedElsewhere += 1;
      claims.elsewhere.push(object);
      // Not read here: an incremental listing must list it again (see ListingPoller).
      source.notFetched?.(object);
    }
  }
}

/**
 * Ingests every object of a listing source that passes the filter. Objects other replicas hold are left to them,
 * unless `ctx.awaitClaimedElsewhere`: then the run ends only once each is committed (by its holder, or here once
 * the holder's lease expired).
 */
export async function ingestListing(
  source: ListingSource,
  filter: SourceFilter,
  ctx: IngestContext,
  signal?: AbortSignal,
  incremental?: IncrementalListing,
): Promise<void> {
  let elsewhere = await listingPass(source, filter, ctx, signal, incremental);
  while (ctx.awaitClaimedElsewhere === true && elsewhere.length > 0 && !signal?.aborted) {
    ctx.onAwaitClaims?.(elsewhere.length);
    await sleep(CLAIM_RETRY_MS, undefined, { signal }).catch(() => undefined);
    if (signal?.aborted) break;
    // Counted again by the pass that looks at them again.
    ctx.summary.files -= elsewhere.length;
    ctx.summary.filesClaimedElsewhere -= elsewhere.length;
    const again = elsewhere;
    elsewhere = await listingPass({ ...source, list: () => listOf(again) }, {}, ctx, signal);
  }
}

async function* listOf(objects: SourceObject[]): AsyncGenerator<SourceObject> {
  yield* objects;
}

/** One pass over a listing; returns the objects other replicas held. */
async function listingPass(
  source: ListingSource,
  filter: SourceFilter,
  ctx: IngestContext,
  signal?: AbortSignal,
  incremental?: IncrementalListing,
): Promise<SourceObject[]> {
  // Several files per worker thread: each finds its next file queued while this thread lists or commits.
  const concurrency = Math.max(ctx.enrichment ? ENRICHING_FILES : 2, ctx.processor.parallelism * 4);
  const claims: PassClaims = { open: new Set(), elsewhere: [] };
  const batcher = new CommitBatcher(ctx, (outcome) => claims.open.delete(outcome.key));
  try {
    await forEachLimited(
      newObjects(source, filter, ctx, claims, signal, incremental),
      concurrency,
      async (object) => {
        const outcome = await processObject(source.objectSource, object, ctx, batcher);
        if (outcome.status === 'failed') claims.open.delete(object.key);
        if (outcome.transient === true) source.notFetched?.(object);
      },
      signal,
    );
    await batcher.flush();
  } finally {
    // Claimed and never committed (the run stopped or failed): another pass or replica may take them at once.
    if (claims.open.size > 0)
      await ctx.store.releaseObjects(source.objectSource, [...claims.open]).catch(() => {
        // The store is unreachable: the leases expire by themselves.
      });
  }
  return claims.elsewhere;
}
