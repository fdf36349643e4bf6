/**
 * The one storage interface of the server (conventions §3.12). Every adapter (SQLite now, PostgreSQL later)
 * implements it and passes the shared contract test. Methods are async so that network-backed adapters fit.
 *
 * The ingest-facing part below is a contract between the ingest pipeline and the store; change it only
 * together with both.
 */
import type { ViolationDraft, ProcessedFile, IngestFailure, InsertResult } from '../model.js';

export interface IngestStore {
  /**
   * Inserts the file's violations and the record that the file was processed, in one transaction.
   * Duplicates (same account, region, event id, type and instance id) are skipped and counted.
   * Whitelisting rules run on every new violation. Calling it again for a file already recorded with the
   * same fingerprint inserts nothing and returns `{ inserted: 0, duplicates: drafts.length }`.
   */
  commitFile(file: ProcessedFile, drafts: ViolationDraft[]): Promise<InsertResult>;
  /** True when this exact file (same source, key and fingerprint) was committed before. */
  isFileProcessed(source: string, key: string, fingerprint: string): Promise<boolean>;
  /** Records a file that could not be read as CloudTrail at all; a later successful commit clears it. */
  recordIngestFailure(failure: Omit<IngestFailure, 'at'>): Promise<void>;
  listIngestFailures(): Promise<IngestFailure[]>;
}
