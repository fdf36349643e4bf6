/**
 * One record as aligned `Label:  value` lines, for `show` and `rules show`: every field on its own line, a
 * multi-line value (pretty-printed meta info) indented below its label. Colour (bold labels, painted values)
 * only when the colour policy allows it.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { oneLine, pad } from './fit.js';
import type { TextStyle } from './render-types.js';

export interface DetailField {
  label: string;
  /** Empty or null: the line shows `-`. */
  value: string | null;
  /** Printed on the lines below the label, each indented, instead of beside it. */
  block?: boolean;
  paint?: (chalk: ChalkInstance) => ChalkInstance | undefined;
}

/** The lines of `fields`, labels padded to the widest. */
export function renderDetails(fields: DetailField[], style: TextStyle): string[] {
  const chalk = new Chalk({ level: style.color ? 1 : 0 });
  const width = Math.max(...fields.map((f) => f.label.length + 1));
  const lines: string[] = [];
  for (const field of fields) {
    const label = chalk.bold(pad(`${field.label}:`, width));
    const empty = field.value === null || field.value === '';
    if (field.block && !empty) {
      lines.push(label.trimEnd());
      // Control characters in stored data must not drive the terminal: each line is made safe on its own.
      for (const line of field.value!.replace(/\n$/, '').split('\n')) lines.push(`  ${oneLine(line)}`);
      continue;
    }
    const text = empty ? '-' : oneLine(field.value!);
    const paint = empty ? undefined : field.paint?.(chalk);
    lines.push(`${label}  ${paint ? paint(text) : text}`);
  }
  return lines;
}
