/** The row and column types shared by the renderers (render.ts, table.ts, delimited.ts). */
import type { ChalkInstance } from 'chalk';

export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  /** Header of the machine formats, e.g. `account_id` (the original's keys). */
  key: string;
  /** Header of the text table, e.g. `Account`. */
  title: string;
  /** The machine value; timestamps as ISO strings. */
  value(row: T): Cell;
  /** A friendlier, uncoloured value for the text table (relative time, one-line meta info); defaults to `value`. */
  text?(row: T, style: TextStyle): string;
  /** The colour of the table cell, applied after the text is cut to the column's width. */
  paint?(row: T, chalk: ChalkInstance): ChalkInstance | undefined;
  /** Cut first, widest first, when the table is wider than the terminal (long free text such as meta info). */
  cutFirst?: boolean;
}

export interface TextStyle {
  color: boolean;
  /** Relative times ("3 hours ago") instead of ISO; only on a terminal. */
  relativeTime: boolean;
  now: Date;
  /**
   * The terminal's width: every row is then one line no wider than this, long cells cut with `…`.
   * Undefined when stdout is not a terminal: cells keep their full values.
   */
  width: number | undefined;
}

export interface RenderInput<T> {
  rows: T[];
  columns: Column<T>[];
  /** What json/ndjson print for a row: the API object, unchanged. */
  raw: (row: T) => unknown;
}
