import { Option, type Command } from 'commander';
import type { Lifecycle } from '../../shared/lifecycle.js';
import type { Context } from '../context.js';
import { connectionOptions, integer, outputOption, type ConnectionOptions, type OutputFormat } from '../options.js';
import { printRows } from '../output/print.js';

export interface LifecycleOptions extends ConnectionOptions {
  output: OutputFormat;
  limit: number;
}

const EXAMPLES = `
Lifecycle records are kept by the server for every RunInstances, StartInstances, StopInstances and
TerminateInstances event of an instance whose application and version are known (from its Taupage user data, or
its tags): when each version ran, where, and on which image.

Examples:
  $ fullstop lifecycle kio                 # the newest 20 records of every version of kio
  $ fullstop lifecycle kio 1.0 -l 100 -o csv
  $ fullstop lifecycle kio -o json | jq -r '.[] | select(.event_type == "RunInstances") | .instance_id'`;

/** The server's largest page (Spring Data's default maximum). */
const MAX_PAGE_SIZE = 2000;

/** The newest `limit` records of an application (or one version), printed oldest first as list-violations does. */
export async function listLifecycles(
  application: string,
  version: string | undefined,
  opts: LifecycleOptions,
  ctx: Context,
): Promise<Lifecycle[]> {
  const client = await ctx.client(opts);
  const size = Math.min(opts.limit, MAX_PAGE_SIZE);
  const rows: Lifecycle[] = [];
  for (let page = 0; rows.length < opts.limit; page++) {
    // Newest first, ties by id: the first pages hold the newest records whatever the total.
    const result = await client.listLifecycles({ application, version, page, size, sort: 'created,id,desc' });
    rows.push(...result.content.slice(0, opts.limit - rows.length));
    // A server that does not page (it answered another page than asked) would send the same rows forever.
    if (result.last || result.content.length === 0 || result.number !== page) break;
  }
  return rows.reverse();
}

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('lifecycle')
    .description('list when the versions of an application ran: instance runs, starts, stops, terminations')
    .argument('<application>', 'the application id (as in the user data or the instance tags)')
    .argument('[version]', 'only this version')
    .addOption(outputOption())
    .addOption(
      new Option('-l, --limit <n>', 'the newest N records, printed oldest first').default(20).argParser(integer(1)),
    );
  for (const option of connectionOptions()) command.addOption(option);
  command
    .addHelpText('after', EXAMPLES)
    .action(async (application: string, version: string | undefined, opts: LifecycleOptions) => {
      const rows = await listLifecycles(application, version, opts, ctx);
      const { lifecycleColumns } = await import('../output/lifecycle-columns.js');
      await printRows(ctx, { rows, columns: lifecycleColumns, raw: (l) => l }, opts.output);
      if (rows.length === 0 && ctx.io.stderrIsTTY)
        ctx.io.err(`No lifecycle records of ${application}${version === undefined ? '' : ` ${version}`}.`);
    });
}
