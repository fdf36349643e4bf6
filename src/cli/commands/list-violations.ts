import { Option, type Command } from 'commander';
import type { Violation } from '../../shared/violation.js';
import type { Context } from '../context.js';
import { EXIT, ExitSignal } from '../errors.js';
import { printRows } from '../output/print.js';
import {
  connectionOptions,
  filterOptions,
  outputOption,
  type ConnectionOptions,
  type FilterOptions,
  type OutputFormat,
} from '../options.js';

export interface ListViolationsOptions extends FilterOptions, ConnectionOptions {
  output: OutputFormat;
  all?: boolean;
  exitCode?: boolean;
}

const EXAMPLES = `
Examples:
  $ fullstop list-violations --since 7d -l 50
  $ fullstop list-violations --applications my-app --application-versions 1.0,1.1
  $ fullstop list-violations -m ami_name=another-ami -o json
  $ fullstop list-violations -t WRONG_AMI,WRONG_REGION --all --since 2024-05-01
  $ fullstop list-violations --since 1d --exit-code -o tsv   # CI: exit 3 when anything is open`;

/** Returns the newest `--limit` violations that pass every filter, oldest first (as the original prints them). */
export async function listViolations(opts: ListViolationsOptions, ctx: Context): Promise<Violation[]> {
  const [client, settings] = await Promise.all([ctx.client(opts), ctx.settings(opts)]);
  const [{ collectViolations }, { toViolationQuery, toMatcher }] = await Promise.all([
    import('../../client/paging.js'),
    import('../violation-query.js'),
  ]);
  const newestFirst = await collectViolations({
    client,
    query: toViolationQuery(opts, settings.accounts),
    limit: opts.limit,
    matches: await toMatcher(opts),
    includeResolved: opts.all === true,
  });
  return newestFirst.reverse();
}

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('list-violations')
    .description('list open violations, newest --limit, printed oldest first')
    .addOption(outputOption());
  for (const option of filterOptions(ctx.now)) command.addOption(option);
  command
    .addOption(new Option('--all', 'include resolved violations (one list of the newest --limit)'))
    .addOption(new Option('--exit-code', 'exit with 3 when at least one violation matches (for CI)'));
  for (const option of connectionOptions()) command.addOption(option);
  command.addHelpText('after', EXAMPLES).action(async (opts: ListViolationsOptions) => {
    const rows = await listViolations(opts, ctx);
    const { violationColumns } = await import('../output/columns.js');
    await printRows(ctx, { rows, columns: violationColumns, raw: (v) => v }, opts.output);
    if (rows.length === 0 && ctx.io.stderrIsTTY) ctx.io.err('No violations match.');
    if (opts.exitCode && rows.length > 0) throw new ExitSignal(EXIT.violationsFound);
  });
}
