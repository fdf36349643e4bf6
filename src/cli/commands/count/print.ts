/** Prints count rows in any `-o` format; on a terminal the text table has a bar per row and a total on stderr. */
import { Chalk } from 'chalk';
import type { Context } from '../../context.js';
import type { OutputFormat } from '../../options.js';
import { withBars } from '../../output/bar-chart.js';
import { emitRows } from '../../output/emit.js';
import type { Column } from '../../output/render-types.js';
import { stdoutStyle } from '../../output/style.js';
import { renderTable } from '../../output/table.js';
import type { CountGroup } from './index.js';
import { GROUP_KEYS, type CountRow } from './rows.js';

const TITLES: Record<keyof CountRow, string> = {
  account: 'Account',
  type: 'Type',
  application: 'Application',
  version: 'Version',
  quantity: 'Count',
};

function columnsOf(keys: Array<keyof CountRow>): Column<CountRow>[] {
  return keys.map((key) => ({
    key,
    title: TITLES[key],
    value: (r) => r[key],
    // A violation without an application is counted all the same; say so rather than leave a gap.
    ...(key === 'application' || key === 'version' ? { text: (r: CountRow) => r[key] ?? '(none)' } : {}),
  }));
}

/** Prints `rows` grouped as `by` in `format`. */
export async function printCounts(
  rows: CountRow[],
  by: CountGroup | undefined,
  format: OutputFormat,
  ctx: Context,
): Promise<void> {
  const keys = GROUP_KEYS[by ?? 'default'];
  const columns = columnsOf(keys);
  const raw = (r: CountRow) => Object.fromEntries(keys.map((k) => [k, r[k]]));
  const style = stdoutStyle(ctx);
  if (format !== 'text' || style.width === undefined) {
    await emitRows(ctx, { rows, columns, raw }, format);
  } else if (rows.length > 0) {
    const chalk = new Chalk({ level: style.color ? 1 : 0 });
    const table = renderTable({ rows, columns, raw }, style).split('\n');
    const lines = withBars(
      table,
      rows.map((r) => r.quantity),
      style.width,
      (bar) => chalk.cyan(bar),
    );
    for (const line of lines) ctx.io.out(line);
  }
  if (format === 'text' && ctx.io.stderrIsTTY) {
    const total = rows.reduce((sum, r) => sum + r.quantity, 0);
    ctx.io.err(rows.length === 0 ? 'No violations counted.' : `Total: ${total}`);
  }
}
