/**
 * Renders rows in the chosen `-o` format. Machine formats (json, ndjson, tsv, csv) are stable, uncoloured
 * and use ISO timestamps; `text` is a table for people and may change (conventions §5).
 */
import type { OutputFormat } from '../options.js';
import { toCsvLine, toTsvLine } from './delimited.js';

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

/** Returns the lines to print for `rows` in `format` (no lines for an empty text table). */
export async function render<T>(input: RenderInput<T>, format: OutputFormat, style: TextStyle): Promise<string[]> {
  const { rows, columns, raw } = input;
  switch (format) {
    case 'json':
      return [JSON.stringify(rows.map(raw), null, 2)];
    case 'ndjson':
      return rows.map((row) => JSON.stringify(raw(row)));
    case 'tsv':
      return [toTsvLine(columns.map((c) => c.key)), ...rows.map((row) => toTsvLine(columns.map((c) => c.value(row))))];
    case 'csv':
      return [toCsvLine(columns.map((c) => c.key)), ...rows.map((row) => toCsvLine(columns.map((c) => c.value(row))))];
    case 'text': {
      if (rows.length === 0) return [];
      const { renderTable } = await import('./table.js');
      return [renderTable(input, style)];
    }
  }
}
