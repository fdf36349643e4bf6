/**
 * The steps of the pipeline for one object, shared by listings (ingest-listing.ts) and queue messages (ingest.ts):
 * which listed objects the store has already, and reading one object into the commit batcher or the failure log.
 */
import { CloudTrailFormatError } from './cloudtrail.js';
import type { CommitBatcher } from './commit-batcher.js';
import type { SourceObject } from './source.js';
import { addFailure, type IngestContext, type FileOutcome } from './ingest-types.js';

function reasonOf(error: unknown): string {
  if (error instanceof CloudTrailFormatError) return error.message;
  const err = error as NodeJS.ErrnoException;
  return `could not read: ${err.code ? `${err.code} ` : ''}${err.message}`;
}

/**
 * Processes one object the store does not have yet: a readable file is queued on the batcher (and counted
 * when it commits); a file that cannot be read is recorded as failed at once. Throws only when the store fails.
 */
export async function processObject(
  source: string,
  object: SourceObject,
  ctx: IngestContext,
  batcher: CommitBatcher,
): Promise<FileOutcome> {
  const outcome: FileOutcome = { source, key: object.key, status: 'ingested' };
  let result;
  try {
    result = await ctx.processor.process(object, source);
    // Worker threads enrich what they read; records read here (or streamed) are enriched by this thread's stage.
    if (result.deferred.length > 0) {
      // A deferred record would be lost without the stage: a wiring bug, so the file is not committed.
      if (ctx.enrichment === undefined) throw new Error('records need look-ups but enrichment is not set up');
      result = await ctx.enrichment.complete(result, { source, key: object.key });
    }
    if (result.enriched !== undefined) {
      const pending = result.pending ?? [];
      outcome.enrichment = { events: result.enriched, pending: pending.length };
      if (pending.length > 0) outcome.enrichment.firstError = pending[0]!.lastError;
    }
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

export function skipped(source: string, object: SourceObject, ctx: IngestContext, failedBefore: boolean): FileOutcome {
  if (failedBefore) ctx.summary.filesFailedBefore += 1;
  else ctx.summary.filesAlreadyIngested += 1;
  const outcome: FileOutcome = { source, key: object.key, status: failedBefore ? 'failed-before' : 'already-ingested' };
  ctx.onFile?.(ctx.summary, outcome);
  return outcome;
}

/** The keys of `objects` not to read: committed before, or (when the context says so) failed before, unchanged. */
export async function knownKeys(
  source: string,
  objects: SourceObject[],
  ctx: IngestContext,
): Promise<{ done: Set<string>; failed: Set<string> }> {
  const done = await ctx.store.processedKeys(source, objects);
  const failed = ctx.skipFailedBefore ? await ctx.store.failedKeys(source, objects) : new Set<string>();
  return { done, failed };
}
