/** The summary and per-file outcome types shared by the pipeline (ingest.ts) and its commit batcher. */
import type { IngestStore } from '../store/store.js';
import type { FileProcessor } from './processor.js';

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
  return {
    files: 0,
    filesIngested: 0,
    filesAlreadyIngested: 0,
    filesFailed: 0,
    records: 0,
    badRecords: 0,
    violationsNew: 0,
    duplicatesSkipped: 0,
    failures: [],
  };
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
