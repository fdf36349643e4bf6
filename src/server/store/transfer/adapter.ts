/** What `fullstop export` and `fullstop import` need of a store: its rows in batches, and a way to add them. */
import type { Counts, Kind } from './format.js';

/** A row as the export writes it: its table's columns, by name. */
export type TransferRow = Record<string, string | number | boolean | null>;

export interface Batch {
  kind: Kind;
  rows: TransferRow[];
}

export interface ImportCounts {
  /** Records added. */
  inserted: Counts;
  /** Types whose row differed and was replaced by the export's. */
  updated: Counts;
}

export interface TransferAdapter {
  readonly store: 'sqlite' | 'postgres';
  /** Every row of every table, in the export's kind order and each table's key order, from one snapshot. */
  exportRows(): AsyncIterable<Batch>;
  /**
   * Adds the batches in one transaction: all of them, or nothing when `batches` throws (a bad line) or a row
   * breaks a constraint. A record whose key is taken already is left as the store has it (types: replaced).
   */
  importBatches(batches: AsyncIterable<Batch>): Promise<ImportCounts>;
  close(): Promise<void>;
}
