/**
 * The pipeline: for each object a source lists or a queue names, skip it when the store already has it,
 * otherwise read it, run the rules and commit its violations together with the processed-file record
 * (one transaction, so a run killed at any point and restarted ends with exactly the same violations).
 * A file that is not CloudTrail is recorded as a failure and skipped; the run goes on.
 *
 * The store is asked about whole batches of listed objects at once, and processed files are committed
 * several per transaction (commit-batcher.ts): per-file round trips would otherwise cost as much as parsing.
 */
import type { IngestStore } from '../store/store.js';
import { CloudTrailFormatError } from './cloudtrail.js';
import { CommitBatcher } from './commit-batcher.js';
import type { FileProcessor } from './processor.js';
import type { ListingSource, QueueMessage, SourceFilter, SourceObject } from './source.js';

export { emptySummary } from './ingest-types.js';
export type { IngestFailureReport, IngestSummary, IngestContext, FileOutcome } from './ingest-types.js';
import type { IngestContext, FileOutcome } from './ingest-types.js';

function reasonOf(error: unknown): string {
  if (error instanceof CloudTrailFormatError) return error.message;
  const err = error as NodeJS.ErrnoException;
  return `could not read: ${err.code ? `${err.code} ` : ''}${err.message}`;
}

/** Listed objects checked against the store per query. */
const LOOKUP_BATCH = 256;

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
    await ctx.store.recordIngestFailure({ source, key: object.key, fingerprint: object.fingerprint, reason });
    ctx.summary.filesFailed += 1;
    ctx.summary.failures.push({ source, key: object.key, reason });
    outcome.status = 'failed';
    outcome.reason = reason;
    outcome.transient = !(error instanceof CloudTrailFormatError);
    ctx.onFile?.(ctx.summary, outcome);
    return outcome;
  }
  await batcher.add(outcome, object.fingerprint, result);
  return outcome;
}

function alreadyIngested(source: string, object: SourceObject, ctx: IngestContext): FileOutcome {
  ctx.summary.filesAlreadyIngested += 1;
  const outcome: FileOutcome = { source, key: object.key, status: 'already-ingested' };
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

/** The listed objects the store does not have yet, looked up a batch at a time; the others are counted as done. */
async function* newObjects(
  source: ListingSource,
  filter: SourceFilter,
  ctx: IngestContext,
  signal?: AbortSignal,
): AsyncGenerator<SourceObject> {
  for await (const batch of chunks(source.list(filter, signal), LOOKUP_BATCH)) {
    const done = await ctx.store.processedKeys(source.url, batch);
    for (const object of batch) {
      ctx.summary.files += 1;
      if (done.has(object.key)) alreadyIngested(source.url, object, ctx);
      else yield object;
    }
  }
}

/** Runs `task` for each item with at most `limit` in flight; the first rejection stops the run once the rest settled. */
async function forEachLimited<T>(
  items: AsyncIterable<T>,
  limit: number,
  task: (item: T) => Promise<unknown>,
  signal?: AbortSignal,
) {
  const inFlight = new Set<Promise<unknown>>();
  const failures: unknown[] = [];
  try {
    for await (const item of items) {
      if (signal?.aborted || failures.length > 0) break;
      const running: Promise<unknown> = task(item)
        .catch((error: unknown) => void failures.push(error))
        .finally(() => inFlight.delete(running));
      inFlight.add(running);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    }
  } finally {
    // Nothing may still write to the store after the run returns (the caller closes it).
    await Promise.all(inFlight);
  }
  if (failures.length > 0) throw failures[0];
}

/** Ingests every object of a listing source that passes the filter. */
export async function ingestListing(
  source: ListingSource,
  filter: SourceFilter,
  ctx: IngestContext,
  signal?: AbortSignal,
): Promise<void> {
  // Several files per worker thread: each finds its next file queued while this thread lists or commits.
  const limit = Math.max(2, ctx.processor.parallelism * 4);
  const batcher = new CommitBatcher(ctx);
  await forEachLimited(
    newObjects(source, filter, ctx, signal),
    limit,
    (object) => processObject(source.url, object, ctx, batcher),
    signal,
  );
  await batcher.flush();
}

/**
 * Ingests the objects of one queue message (committed together) and acknowledges it, unless a file could not
 * be fetched: then the message is left for redelivery. A malformed file is recorded as failed and does not
 * hold the message back.
 */
export async function ingestMessage(message: QueueMessage, ctx: IngestContext): Promise<boolean> {
  const source = message.objectSource;
  const done = await ctx.store.processedKeys(source, message.objects);
  const batcher = new CommitBatcher(ctx);
  const outcomes = await Promise.all(
    message.objects.map((object) => {
      ctx.summary.files += 1;
      return done.has(object.key) ? alreadyIngested(source, object, ctx) : processObject(source, object, ctx, batcher);
    }),
  );
  await batcher.flush();
  if (outcomes.some((outcome) => outcome.transient === true)) return false;
  await message.ack();
  return true;
}
