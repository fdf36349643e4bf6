/**
 * Commits processed files several at a time: one transaction costs more than a typical delivery file's inserts.
 * Every file still commits its violations together with its processed-file record (the batch is one
 * transaction, all or nothing), so a run killed at any point and restarted ends with exactly the same result.
 */
import type { FileCommit } from '../store/store.js';
import type { FileResult } from './cloudtrail.js';
import type { FileOutcome, IngestContext } from './ingest-types.js';

/**
 * Files per transaction, and a cap on the rows (violations, lifecycle records, pending evaluations) held back for
 * one (bounded memory on violation-heavy logs).
 */
export const COMMIT_BATCH_FILES = 64;
export const COMMIT_BATCH_DRAFTS = 5_000;

interface PendingFile {
  commit: FileCommit;
  result: FileResult;
  outcome: FileOutcome;
}

export class CommitBatcher {
  private pending: PendingFile[] = [];
  private drafts = 0;
  /** Commits run one after another; a failed commit fails every later flush too, so the run stops. */
  private chain: Promise<void> = Promise.resolve();

  /** `onCommitted` hears of each file once its commit succeeded (before `ctx.onFile`). */
  constructor(
    private readonly ctx: IngestContext,
    private readonly onCommitted?: (outcome: FileOutcome) => void,
  ) {}

  /** Queues a processed file; resolves when it is committed if it filled the batch, else at once. */
  add(outcome: FileOutcome, fingerprint: string, result: FileResult): Promise<void> {
    const file = {
      source: outcome.source,
      key: outcome.key,
      fingerprint,
      records: result.records,
      badRecords: result.badRecords,
    };
    const commit: FileCommit = { file, drafts: result.drafts };
    if (result.lifecycles !== undefined && result.lifecycles.length > 0) commit.lifecycles = result.lifecycles;
    if (result.pending !== undefined && result.pending.length > 0) commit.pending = result.pending;
    this.pending.push({ commit, result, outcome });
    this.drafts += result.drafts.length + (commit.lifecycles?.length ?? 0) + (commit.pending?.length ?? 0);
    return this.pending.length >= COMMIT_BATCH_FILES || this.drafts >= COMMIT_BATCH_DRAFTS
      ? this.flush()
      : Promise.resolve();
  }

  /** Commits whatever is queued; resolves once everything queued so far is committed. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.drafts = 0;
    if (batch.length > 0) this.chain = this.chain.then(() => this.commit(batch));
    return this.chain;
  }

  private async commit(batch: PendingFile[]): Promise<void> {
    const results = await this.ctx.store.commitFiles(batch.map((pending) => pending.commit));
    const { summary } = this.ctx;
    batch.forEach(({ result, outcome }, i) => {
      this.onCommitted?.(outcome);
      const inserted = results[i] ?? { inserted: 0, duplicates: result.drafts.length };
      summary.filesIngested += 1;
      summary.records += result.records;
      summary.badRecords += result.badRecords;
      summary.ruleErrors += result.ruleErrors;
      if (result.ruleErrors > 0) outcome.ruleErrors = { count: result.ruleErrors, samples: result.ruleErrorSamples };
      summary.violationsNew += inserted.inserted;
      summary.duplicatesSkipped += inserted.duplicates;
      summary.enrichmentEvents += outcome.enrichment?.events ?? 0;
      summary.enrichmentFailed += outcome.enrichment?.pending ?? 0;
      this.ctx.onFile?.(summary, outcome);
    });
  }
}
