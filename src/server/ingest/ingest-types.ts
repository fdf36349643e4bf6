/** The summary and per-file outcome types shared by the pipeline (ingest.ts) and its commit batcher. */
import type { RuleError } from '../rules/index.js';
import type { IngestStore } from '../store/store.js';
import type { EnrichmentStage } from '../enrich/stage.js';
import type { FileProcessor } from './processor.js';

/** Failures a summary keeps (the newest); `filesFailed` counts them all. A server ingests for months. */
export const MAX_FAILURES_KEPT = 100;

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
  /** Files that failed before with the same fingerprint and were not read again (continuous ingest only). */
  filesFailedBefore: number;
  /** Files another replica was reading (claimed in the store): left to it. */
  filesClaimedElsewhere: number;
  records: number;
  badRecords: number;
  /** Rule evaluations that threw (a bug in a rule): logged with the rule and the event id. */
  ruleErrors: number;
  violationsNew: number;
  duplicatesSkipped: number;
  /** Records whose facts were looked up (enrichment on). */
  enrichmentEvents: number;
  /** Of those, records whose look-ups failed: committed as pending evaluations, to be evaluated later. */
  enrichmentFailed: number;
  /** Pending evaluations (of this run or earlier ones) evaluated by retries of this run. */
  enrichmentRetried: number;
  /** Pending evaluations left in the store when the run ended (the caller fills it in). */
  enrichmentPending: number;
  /** The newest MAX_FAILURES_KEPT failures. */
  failures: IngestFailureReport[];
}

/** Counts a failed file and keeps its report among the newest MAX_FAILURES_KEPT. */
export function addFailure(summary: IngestSummary, report: IngestFailureReport): void {
  summary.filesFailed += 1;
  summary.failures.push(report);
  if (summary.failures.length > MAX_FAILURES_KEPT) summary.failures.shift();
}

export function emptySummary(): IngestSummary {
  return {
    files: 0,
    filesIngested: 0,
    filesAlreadyIngested: 0,
    filesFailed: 0,
    filesFailedBefore: 0,
    filesClaimedElsewhere: 0,
    records: 0,
    badRecords: 0,
    ruleErrors: 0,
    violationsNew: 0,
    duplicatesSkipped: 0,
    enrichmentEvents: 0,
    enrichmentFailed: 0,
    enrichmentRetried: 0,
    enrichmentPending: 0,
    failures: [],
  };
}

export interface IngestContext {
  store: IngestStore;
  processor: FileProcessor;
  /** Looks up the facts of the records the processor deferred; needed when the processor defers any. */
  enrichment?: EnrichmentStage | undefined;
  summary: IngestSummary;
  /** Skip files that failed before with the same fingerprint instead of reading them again (a polling server). */
  skipFailedBefore?: boolean;
  /** End a listing only once the files other replicas hold are committed (a one-shot run). */
  awaitClaimedElsewhere?: boolean;
  /** With `awaitClaimedElsewhere`: called each time the run waits for files other processes hold, with their count. */
  onAwaitClaims?: (files: number) => void;
  /** Called after every object, for progress bars and logs. */
  onFile?: (summary: IngestSummary, outcome: FileOutcome) => void;
}

export interface FileOutcome {
  source: string;
  key: string;
  status: 'ingested' | 'already-ingested' | 'failed-before' | 'failed';
  reason?: string;
  /** Rules that threw on the file's records: how many times, and the first few. */
  ruleErrors?: { count: number; samples: RuleError[] };
  /** The file could not be fetched (network, permissions): retrying may succeed, unlike a malformed file. */
  transient?: boolean;
  /** Records of the file whose facts were looked up; `pending` of them failed, the first with `firstError`. */
  enrichment?: { events: number; pending: number; firstError?: string };
}
