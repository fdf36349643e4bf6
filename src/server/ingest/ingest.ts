/**
 * The pipeline: for each object a source lists or a queue names, skip it when the store already has it,
 * otherwise read it, run the rules and commit its violations together with the processed-file record
 * (one transaction, so a run killed at any point and restarted ends with exactly the same violations).
 * A file that is not CloudTrail is recorded as a failure and skipped; the run goes on.
 */
import type { IngestStore } from '../store/store.js';
import { CloudTrailFormatError } from './cloudtrail.js';
import type { FileProcessor } from './processor.js';
import type { ListingSource, QueueMessage, SourceFilter, SourceObject } from './source.js';

export interface IngestFailureReport {
  source: string;
  key: string;
  reason: string;
}

export interface IngestSummary {
  /** Objects seen, including those already ingested before. */
  files: number;
  filesIngested: number;
  filesAlreadyIngested: number;
  filesFailed: number;
  records: number;
  badRecords: number;
  violationsNew: number;
  duplicatesSkipped: number;
  failures: IngestFailureReport[];
}

export function emptySummary(): IngestSummary {
  return { files: 0, filesIngested: 0, filesAlreadyIngested: 0, filesFailed: 0, records: 0, badRecords: 0, violationsNew: 0, duplicatesSkipped: 0, failures: [] };
}

export interface IngestContext {
  store: IngestStore;
  processor: FileProcessor;
  summary: IngestSummary;
  /** Called after every object, for progress bars and logs. */
  onFile?: (summary: IngestSummary, outcome: FileOutcome) => void;
}

export interface FileOutcome {
  source: string;
  key: string;
  status: 'ingested' | 'already-ingested' | 'failed';
  reason?: string;
  /** The file could not be fetched (network, permissions): retrying may succeed, unlike a malformed file. */
  transient?: boolean;
}

function reasonOf(error: unknown): string {
  if (error instanceof CloudTrailFormatError) return error.message;
  const err = error as NodeJS.ErrnoException;
  return `could not read: ${err.code ? `${err.code} ` : ''}${err.message}`;
}

/** Ingests one object; throws only when the store fails (then nothing about this file was committed). */
export async function ingestObject(source: string, object: SourceObject, ctx: IngestContext): Promise<FileOutcome> {
  const { store, summary } = ctx;
  summary.files += 1;
  const outcome: FileOutcome = { source, key: object.key, status: 'ingested' };
  if (await store.isFileProcessed(source, object.key, object.fingerprint)) {
    summary.filesAlreadyIngested += 1;
    outcome.status = 'already-ingested';
  } else {
    let result;
    try {
      result = await ctx.processor.process(object);
    } catch (error) {
      const reason = reasonOf(error);
      await store.recordIngestFailure({ source, key: object.key, fingerprint: object.fingerprint, reason });
      summary.filesFailed += 1;
      summary.failures.push({ source, key: object.key, reason });
      outcome.status = 'failed';
      outcome.reason = reason;
      outcome.transient = !(error instanceof CloudTrailFormatError);
    }
    if (result !== undefined) {
      const file = { source, key: object.key, fingerprint: object.fingerprint, records: result.records, badRecords: result.badRecords };
      const inserted = await store.commitFile(file, result.drafts);
      summary.filesIngested += 1;
      summary.records += result.records;
      summary.badRecords += result.badRecords;
      summary.violationsNew += inserted.inserted;
      summary.duplicatesSkipped += inserted.duplicates;
    }
  }
  ctx.onFile?.(summary, outcome);
  return outcome;
}

/** Runs `task` for each item with at most `limit` in flight; the first rejection stops the run. */
async function forEachLimited<T>(items: AsyncIterable<T>, limit: number, task: (item: T) => Promise<void>, signal?: AbortSignal) {
  const inFlight = new Set<Promise<void>>();
  for await (const item of items) {
    if (signal?.aborted) break;
    const running: Promise<void> = task(item).finally(() => inFlight.delete(running));
    inFlight.add(running);
    if (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
}

/** Ingests every object of a listing source that passes the filter. */
export async function ingestListing(source: ListingSource, filter: SourceFilter, ctx: IngestContext, signal?: AbortSignal): Promise<void> {
  // Twice the parallelism keeps workers busy while the next file is being read.
  const limit = Math.max(2, ctx.processor.parallelism * 2);
  await forEachLimited(source.list(filter, signal), limit, async (object) => void (await ingestObject(source.url, object, ctx)), signal);
}

/**
 * Ingests the objects of one queue message and acknowledges it, unless a file could not be fetched: then the
 * message is left for redelivery. A malformed file is recorded as failed and does not hold the message back.
 */
export async function ingestMessage(message: QueueMessage, ctx: IngestContext): Promise<boolean> {
  const outcomes = await Promise.all(message.objects.map((object) => ingestObject(message.objectSource, object, ctx)));
  if (outcomes.some((outcome) => outcome.transient === true)) return false;
  await message.ack();
  return true;
}
