/**
 * Fitting a table to the terminal, as gh does: each row one line, the widest cells cut with `…`. Widths are
 * display columns as string-width counts them (wide CJK characters and emoji take two, ANSI codes none).
 */
import stringWidth from 'string-width';

export const GAP = 2;
const ELLIPSIS = '…';
/** What a cut-first column keeps before the other columns are cut too: enough to recognise a value. */
const CUT_FIRST_FLOOR = 10;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A cell as one line for the terminal: line breaks and tabs become a space, other control characters
 * (escape sequences included, so data cannot drive the terminal) the replacement character.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\t\n\v\f\r]+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

/** `text` cut to at most `width` display columns, ending in `…` when something was cut. */
export function cut(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  if (width <= 0) return '';
  let kept = '';
  let used = 0;
  for (const { segment } of graphemes.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return kept + ELLIPSIS;
}

/** `text` padded with spaces to `width` display columns. */
export function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - stringWidth(text)));
}

/** The display width of the widest line of `text`. */
export function textWidth(text: string): number {
  return Math.max(...text.split('\n').map((line) => stringWidth(line)));
}

/** What fitting needs to know of a column: the widths of its title and of its widest value. */
export interface ColumnWidths {
  title: number;
  content: number;
  cutFirst: boolean;
}

function total(widths: number[]): number {
  const shown = widths.filter((w) => w > 0);
  return shown.reduce((sum, w) => sum + w, 0) + GAP * Math.max(0, shown.length - 1);
}

/** Narrows the widest of `columns` (each not below its floor) one column at a time until the table fits. */
function narrowWidest(widths: number[], floors: (number | undefined)[], width: number): void {
  while (total(widths) > width) {
    let widest = -1;
    widths.forEach((w, i) => {
      const floor = floors[i];
      if (floor !== undefined && w > floor && (widest < 0 || w > widths[widest]!)) widest = i;
    });
    if (widest < 0) return;
    widths[widest]! -= 1;
  }
}

/**
 * Column widths that fit `width`, cutting widest first, in steps: the cut-first columns (free text such as
 * meta info) down to a recognisable prefix; titles wider than their values (`Application Version` over
 * `1.0`) down to the values; then every column, down to one character; on a terminal too narrow even for
 * that, the last columns are left out (width 0).
 */
export function fitWidths(columns: ColumnWidths[], width: number): number[] {
  const widths = columns.map((c) => Math.max(1, c.title, c.content));
  narrowWidest(
    widths,
    columns.map((c) => (c.cutFirst ? CUT_FIRST_FLOOR : undefined)),
    width,
  );
  narrowWidest(
    widths,
    columns.map((c) => Math.max(1, c.content)),
    width,
  );
  narrowWidest(
    widths,
    columns.map(() => 1),
    width,
  );
  for (let i = widths.length - 1; i > 0 && total(widths) > width; i--) widths[i] = 0;
  return widths;
}
