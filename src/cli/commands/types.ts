import type { Command } from 'commander';
import type { ViolationType } from '../../shared/violation.js';
import type { Context } from '../context.js';
import { connectionOptions, outputOption, type ConnectionOptions, type OutputFormat } from '../options.js';
import { printRows } from '../output/print.js';

export interface TypesOptions extends ConnectionOptions {
  output: OutputFormat;
}

const EXAMPLES = `
Examples:
  $ fullstop types
  $ fullstop types -o json | jq -r '.[] | select(.violation_severity >= 3) | .id'`;

/** Fetches the violation types, sorted by id. */
export async function listTypes(opts: ConnectionOptions, ctx: Context): Promise<ViolationType[]> {
  const client = await ctx.client(opts);
  const types = await client.listViolationTypes();
  return types.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('types')
    .description('list violation types')
    .addOption(outputOption())
    .addHelpText('after', EXAMPLES);
  for (const option of connectionOptions()) command.addOption(option);
  command.action(async (opts: TypesOptions) => {
    const types = await listTypes(opts, ctx);
    const { typeColumns } = await import('../output/columns.js');
    await printRows(ctx, { rows: types, columns: typeColumns, raw: (t) => t }, opts.output);
    // Shell completion offers these types; this keeps its cache fresh at no extra request.
    const { url } = await ctx.settings(opts);
    if (url)
      (await import('./completion/types-cache.js')).rememberTypes(
        ctx,
        url,
        types.map((t) => t.id),
      );
  });
}
