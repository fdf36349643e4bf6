/**
 * The text table: no borders, columns separated by two spaces, like the original client's table. On a
 * terminal every row is one line that fits its width (fit.ts); piped, cells keep their full values and a
 * value with line breaks spans several lines. Colour (bold headers, severities) only when the colour policy
 * allows it, applied after cutting so that widths are measured on the text alone.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { cut, fitWidths, GAP, oneLine, pad, textWidth } from './fit.js';
import type { Column, RenderInput, TextStyle } from './render-types.js';

interface Cell {
  text: string;
  paint: ChalkInstance | undefined;
}

function cellOf<T>(column: Column<T>, row: T, style: TextStyle, chalk: ChalkInstance): Cell {
  const text = column.text ? column.text(row, style) : String(column.value(row) ?? '');
  return { text: style.width === undefined ? text : oneLine(text), paint: column.paint?.(row, chalk) };
}

/** The lines of one row: cells cut to `widths`, padded, joined; a width of 0 leaves the column out. */
function rowLines(cells: Cell[], widths: number[]): string[] {
  const shown = cells.map((cell, i) => ({ cell, width: widths[i]! })).filter(({ width }) => width > 0);
  const split = shown.map(({ cell }) => cell.text.split(/\r?\n/));
  const height = Math.max(...split.map((lines) => lines.length));
  return Array.from({ length: height }, (_, index) =>
    shown
      .map(({ cell, width }, i) => {
        const text = cut(split[i]![index] ?? '', width);
        return pad(cell.paint && text ? cell.paint(text) : text, width);
      })
      .join(' '.repeat(GAP))
      .trimEnd(),
  );
}

/** Renders rows as a borderless table. */
export function renderTable<T>(input: RenderInput<T>, style: TextStyle): string {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  const { columns } = input;
  const head: Cell[] = columns.map((column) => ({ text: column.title, paint: chalk.bold }));
  const body = input.rows.map((row) => columns.map((column) => cellOf(column, row, style, chalk)));
  const widthOf = (cells: Cell[][], i: number) => Math.max(0, ...cells.map((row) => textWidth(row[i]!.text)));
  const measured = columns.map((column, i) => ({
    title: widthOf([head], i),
    content: widthOf(body, i),
    cutFirst: column.cutFirst === true,
  }));
  const widths =
    style.width === undefined ? measured.map((m) => Math.max(1, m.title, m.content)) : fitWidths(measured, style.width);
  return [head, ...body].flatMap((cells) => rowLines(cells, widths)).join('\n');
}
