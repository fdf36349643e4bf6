/**
 * Horizontal bars for a text table on a terminal: each row's value as a bar of block characters, in eighths of
 * a column, scaled so that the largest value fills `width` columns.
 */
import stringWidth from 'string-width';
import { pad } from './fit.js';

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar for `value` out of `max` in at most `width` columns; any value above 0 shows at least an eighth. */
export function bar(value: number, max: number, width: number): string {
  if (value <= 0 || max <= 0 || width <= 0) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

/** The widest a bar may be beside a table `tableWidth` columns wide on a `columns`-wide terminal. */
export function barWidth(tableWidth: number, columns: number, gap = 2, most = 40): number {
  return Math.max(0, Math.min(most, columns - tableWidth - gap));
}

/**
 * Appends a bar to each body line of a one-line-per-row table (`lines[0]` is the header), lined up after the
 * widest line; `paint` colours the bars. Returns the table unchanged when fewer than 5 columns are left.
 */
export function withBars(
  lines: string[],
  values: number[],
  columns: number,
  paint: (text: string) => string = (t) => t,
): string[] {
  const tableWidth = Math.max(...lines.map((line) => stringWidth(line)));
  const width = barWidth(tableWidth, columns);
  if (width < 5 || lines.length !== values.length + 1) return lines;
  const max = Math.max(...values);
  return lines.map((line, i) =>
    i === 0 ? line : `${pad(line, tableWidth)}  ${paint(bar(values[i - 1]!, max, width))}`,
  );
}
