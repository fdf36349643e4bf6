/** TSV and CSV lines. Small enough to own; the quoting rules are the point and are tested. */
import type { Cell } from './render-types.js';

function text(cell: Cell): string {
  return cell === null || cell === undefined ? '' : String(cell);
}

/** A TSV line: tabs, newlines and backslashes inside fields are escaped (`\t`, `\n`, `\\`), never lost. */
export function toTsvLine(cells: Cell[]): string {
  return cells
    .map((cell) => text(cell).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\r/g, '\\r').replace(/\n/g, '\\n'))
    .join('\t');
}

/** An RFC 4180 CSV line: fields with a comma, quote or line break are quoted, quotes doubled. */
export function toCsvLine(cells: Cell[]): string {
  return cells
    .map((cell) => {
      const value = text(cell);
      return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
    })
    .join(',');
}
