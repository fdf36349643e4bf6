/**
 * The pipeline: for each object a source lists or a queue names, skip it when the store already has it,
 * otherwise read it, run the rules and commit its violations together with the processed-file record
 * (one transaction, so a run killed at any point and restarted ends with exactly the same violations).
 * A file that is not CloudTrail is recorded as a failure and skipped; the run goes on.
 *
 * The store is asked about whole batches of listed objects at once, and processed files are committed
 * several per transaction (commit-batcher.ts): per-file round trips would otherwise cost as much as parsing.
 *
 * Listed objects are claimed in the store a few at a time just before they are read (`claimObjects`), so server
 * replicas listing the same prefix split it: an object another replica holds is left to it (a polling server lists
 * it again at its next poll, by then committed or, if that replica died, its lease expired; a one-shot run waits
 * for it). Queue messages are not claimed: SQS hands each message to one replica at a time already.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { CloudTrailFormatError } from './cloudtrail.js';
import { CommitBatcher } from './commit-batcher.js';
import type { IncrementalListing, ListingSource, QueueMessage, SourceFilter, SourceObject } from './source.js';

export { emptySummary } from './ingest-types.js';
export type { IngestFailureReport, IngestSummary, IngestContext, FileOutcome } from './ingest-types.js';
import { addFailure, type IngestContext, type FileOutcome } from './ingest-types.js';

function reasonOf(error: unknown): string {
  if (error instanceof CloudTrailFormatError) return error.message;
  const err = error as NodeJS.ErrnoException;
  return `could not read: ${err.code ? `${err.code} ` : ''}${err.message}`;
}

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
 * Processes one object the store does not have yet: a readable file is queued on the batcher (and counted
 * when it commits); a file that cannot be read is recorded as failed at once. Throws only when the store fails.
 */
async function processObject(
  source: string,
  object: SourceObject,
  ctx: IngestContext,
  batcher: CommitBatcher,
): Promise<FileOutcome> {
  const outcome: FileOutcome = { source, key: object.key, status: 'ingested' };
  let result;
  try {
    result = await ctx.processor.process(object);
  } catch (error) {
    const reason = reasonOf(error);
    const transient = !(error instanceof CloudTrailFormatError);
    await ctx.store.recordIngestFailure({
      source,
      key: object.key,
      fingerprint: object.fingerprint,
      reason,
      transient,
    });
    addFailure(ctx.summary, { source, key: object.key, reason });
    outcome.status = 'failed';
    outcome.reason = reason;
    outcome.transient = transient;
    ctx.onFile?.(ctx.summary, outcome);
    return outcome;
  }
  await batcher.add(outcome, object.fingerprint, result);
  return outcome;
}

function skipped(source: string, object: SourceObject, ctx: IngestContext, failedBefore: boolean): FileOutcome {
  if (failedBefore) ctx.summary.filesFailedBefore += 1;
  else ctx.summary.filesAlreadyIngested += 1;
  const outcome: FileOutcome = { source, key: object.key, status: failedBefore ? 'failed-before' : 'already-ingested' };
  ctx.onFile?.(ctx.summary, outcome);
  return outcome;
}

async function* chunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The keys of `objects` not to read: committed before, or (when the context says so) failed before, unchanged. */
async function knownKeys(
  source: string,
  objects: SourceObject[],
  ctx: IngestContext,
): Promise<{ done: Set<string>; failed: Set<string> }> {
  const done = await ctx.store.processedKeys(source, objects);
  const failed = ctx.skipFailedBefore ? await ctx.store.failedKeys(source, objects) : new Set<string>();
  return { done, failed };
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
  for (const object of objects) {
    if (claimed.has(object.key)) {
      claims.open.add(object.key);
      yield object;
    } else if (done.has(object.key)) skipped(source.objectSource, object, ctx, false);
    else {
      ctx.summary.filesClaimedElsewhere += 1;
      claims.elsewhere.push(object);
      // Not read here: an incremental listing must list it again (see ListingPoller).
      source.notFetched?.(object);
    }
  }
}

/**
 * Runs `task` for each item, `concurrency` at a time, pulling the next item only when one can start (a listing of
 * millions of keys is never held in memory). The first rejection stops the run once the running tasks settled.
 */
async function forEachLimited<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  task: (item: T) => Promise<unknown>,
  signal?: AbortSignal,
) {
  const limit = pLimit({ concurrency, rejectOnClear: true });
  /** Unsettled tasks, oldest first. */
  const unsettled = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for await (const item of items) {
      if (signal?.aborted || failure !== undefined) break;
      const settled: Promise<void> = limit(task, item)
        .then(
          () => undefined,
          (error: unknown) => {
            failure ??= { error };
            limit.clearQueue();
          },
        )
        .finally(() => unsettled.delete(settled));
      unsettled.add(settled);
      // Tasks start in order, so the oldest unsettled one is running: wait for it while another one is queued.
      while (limit.pendingCount > 0) await unsettled.values().next().value;
    }
  } finally {
    // Nothing may still write to the store after the run returns (the caller closes it).
    await Promise.all(unsettled);
  }
  if (failure !== undefined) throw failure.error;
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
  const concurrency = Math.max(2, ctx.processor.parallelism * 4);
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

/**
 * Ingests the objects of one queue message (committed together) and acknowledges it, unless a file could not
 * be fetched: then the message is left for redelivery. A malformed file is recorded as failed and does not
 * hold the message back.
 */
export async function ingestMessage(message: QueueMessage, ctx: IngestContext): Promise<boolean> {
  const source = message.objectSource;
  const { done, failed } = await knownKeys(source, message.objects, ctx);
  const batcher = new CommitBatcher(ctx);
  let acked = false;
  try {
    const outcomes = await Promise.all(
      message.objects.map((object) => {
        ctx.summary.files += 1;
        if (done.has(object.key)) return skipped(source, object, ctx, false);
        if (failed.has(object.key)) return skipped(source, object, ctx, true);
        return processObject(source, object, ctx, batcher);
      }),
    );
    await batcher.flush();
    if (outcomes.some((outcome) => outcome.transient === true)) return false;
    await message.ack();
    acked = true;
    return true;
  } finally {
    // Left for redelivery: it may become visible again once its visibility timeout runs out.
    if (!acked) message.release?.();
  }
}
