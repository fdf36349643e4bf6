/** The row and column types shared by the renderers (render.ts, table.ts, delimited.ts). */
export type Cell = string | number | boolean | null | undefined;

export interface Column<T> {
  /** Header of the machine formats, e.g. `account_id` (the original's keys). */
  key: string;
  /** Header of the text table, e.g. `Account`. */
  title: string;
  /** The machine value; timestamps as ISO strings. */
  value(row: T): Cell;
  /** A friendlier value for the text table (relative time, colour); defaults to `value`. */
  text?(row: T, style: TextStyle): string;
}

export interface TextStyle {
  color: boolean;
  /** Relative times ("3 hours ago") instead of ISO; only on a terminal. */
  relativeTime: boolean;
  now: Date;
  /** Terminal width, to wrap long columns. */
  width: number | undefined;
}

export interface RenderInput<T> {
  rows: T[];
  columns: Column<T>[];
  /** What json/ndjson print for a row: the API object, unchanged. */
  raw: (row: T) => unknown;
  /** Column keys that may wrap in the text table when the terminal is narrow. */
  wrap?: string[];
}
