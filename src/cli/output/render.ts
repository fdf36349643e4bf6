/**
 * Renders rows in the chosen `-o` format. Machine formats (json, ndjson, tsv, csv) are stable, uncoloured
 * and use ISO timestamps; `text` is a table for people and may change.
 */
import type { OutputFormat } from '../options.js';
import { toCsvLine, toTsvLine } from './delimited.js';

export type { Cell, Column, TextStyle, RenderInput } from './render-types.js';
import type { RenderInput, TextStyle } from './render-types.js';

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
