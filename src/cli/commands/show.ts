import { Argument, type Command } from 'commander';
import { ApiError } from '../../client/errors.js';
import type { Violation } from '../../shared/violation.js';
import type { Context } from '../context.js';
import { CliError } from '../errors.js';
import { connectionOptions, integer, outputOption, type ConnectionOptions, type OutputFormat } from '../options.js';
import { printRows } from '../output/print.js';

export interface ShowOptions extends ConnectionOptions {
  output: OutputFormat;
}

const EXAMPLES = `
Examples:
  $ fullstop show 4711
  $ fullstop show 4711 -o json | jq .meta_info

Prints every field of the violation; meta info is pretty-printed. -o json prints the violation object as the
API sends it, -o tsv/csv one row of every field (meta info as JSON).`;

/** Fetches violation `id`; a missing one is an error (exit 1) that names it. */
export async function showViolation(id: number, opts: ConnectionOptions, ctx: Context): Promise<Violation> {
  const client = await ctx.client(opts);
  try {
    return await client.getViolation(id);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      throw new CliError(`violation ${id} not found`, { hint: 'list ids with `fullstop list-violations --all`' });
    }
    throw error;
  }
}

async function print(violation: Violation, output: OutputFormat, ctx: Context): Promise<void> {
  if (output === 'json' || output === 'ndjson') {
    ctx.io.out(output === 'json' ? JSON.stringify(violation, null, 2) : JSON.stringify(violation));
    return;
  }
  const [{ violationDetails, violationDetailColumns }, { stdoutStyle }, { renderDetails }] = await Promise.all([
    import('../output/violation-details.js'),
    import('../output/style.js'),
    import('../output/details.js'),
  ]);
  if (output !== 'text') {
    await printRows(ctx, { rows: [violation], columns: violationDetailColumns, raw: (v) => v }, output);
    return;
  }
  const style = stdoutStyle(ctx);
  for (const line of renderDetails(violationDetails(violation, style), style)) ctx.io.out(line);
}

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('show')
    .description('show one violation with every field')
    .addArgument(new Argument('<id>', 'violation id').argParser(integer(1)))
    .addOption(outputOption());
  for (const option of connectionOptions()) command.addOption(option);
  command.addHelpText('after', EXAMPLES).action(async (id: number, opts: ShowOptions) => {
    await print(await showViolation(id, opts, ctx), opts.output, ctx);
  });
}
