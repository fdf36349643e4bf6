/**
 * The text table: cli-table3 without borders, columns separated by two spaces, like the original client's
 * table. Colour (bold headers) only when the colour policy allows it; cli-table3's own colours stay off.
 */
import { Chalk } from 'chalk';
import Table from 'cli-table3';
import type { RenderInput, TextStyle } from './render-types.js';

const NO_BORDER = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** Renders rows as a borderless table; `wrap` columns share what is left of the terminal width. */
export function renderTable<T>(input: RenderInput<T>, style: TextStyle): string {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  const cells = input.rows.map((row) =>
    input.columns.map((column) => (column.text ? column.text(row, style) : String(column.value(row) ?? ''))),
  );
  const colWidths = wrapWidths(input, cells, style.width);
  const table = new Table({
    head: input.columns.map((column) => chalk.bold(column.title)),
    chars: NO_BORDER,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: true } : {}),
  });
  table.push(...cells);
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '').length;
}

/** Column widths when the table would overflow the terminal and has wrappable columns; else undefined. */
function wrapWidths<T>(
  input: RenderInput<T>,
  cells: string[][],
  width: number | undefined,
): (number | null)[] | undefined {
  if (!width || !input.wrap || input.wrap.length === 0) return undefined;
  const natural = input.columns.map((column, index) =>
    Math.max(
      visibleLength(column.title),
      ...cells.map((row) => Math.max(...(row[index] ?? '').split('\n').map(visibleLength))),
    ),
  );
  const separators = 2 * (input.columns.length - 1);
  const total = natural.reduce((sum, w) => sum + w, 0) + separators;
  if (total <= width) return undefined;
  const wrapping = input.columns.map((column) => input.wrap!.includes(column.key));
  const fixed = natural.reduce((sum, w, i) => (wrapping[i] ? sum : sum + w), 0) + separators;
  const share = Math.max(16, Math.floor((width - fixed) / wrapping.filter(Boolean).length));
  return natural.map((w, i) => (wrapping[i] ? Math.min(w, share) : w));
}
