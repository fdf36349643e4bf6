/** What `rules add|update` print: the new rule's id (text) or the rule, or for a dry run the matches. */
import type { Context } from '../../context.js';
import type { OutputFormat } from '../../options.js';
import { emitRows } from '../../output/emit.js';
import { printRule } from './view.js';
import type { WriteResult } from './write.js';

/** `key=value` for every field the rule sets, as one line. */
function describe(input: Record<string, unknown>): string {
  const set = Object.entries(input).filter(([, value]) => value !== null && value !== undefined && value !== '');
  const text = set.map(([key, value]) => `${key}=${String(value)}`).join(', ');
  return input.expiry_date ? text : `${text}, expiry_date=never`;
}

/** Prints `result` in `format`: data on stdout, what happened on stderr. */
export async function reportWrite(result: WriteResult, format: OutputFormat, ctx: Context): Promise<void> {
  if (result.kind === 'dry-run') {
    const { matching, open, checked } = result.result;
    const { violationColumns } = await import('../../output/columns.js');
    await emitRows(ctx, { rows: matching, columns: violationColumns, raw: (v) => v }, format);
    ctx.io.err(`rule: ${describe(result.input)}`);
    const what = result.replaces === undefined ? 'nothing was created' : `rule ${result.replaces} was not changed`;
    ctx.io.err(
      `dry run: the rule matches ${matching.length} of the ${open} open violations (${checked} checked); ${what}`,
    );
    ctx.io.err('note: a rule whitelists violations that arrive after it exists; open ones stay open');
    return;
  }
  const { rule } = result;
  ctx.io.err(
    result.kind === 'created'
      ? `Created whitelisting rule ${rule.id}`
      : `Rule ${result.replaced} expired; replaced by rule ${rule.id}`,
  );
  if (format === 'text') ctx.io.out(String(rule.id));
  else await printRule(rule, format, ctx);
}
