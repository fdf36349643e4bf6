import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import {
  accountsOption,
  connectionOptions,
  outputOption,
  sinceOption,
  untilOption,
  type ConnectionOptions,
  type OutputFormat,
} from '../../options.js';
import type { CountRow } from './rows.js';

export const COUNT_GROUPS = ['account', 'type', 'application'] as const;
export type CountGroup = (typeof COUNT_GROUPS)[number];

export interface CountOptions extends ConnectionOptions {
  by?: CountGroup;
  accounts?: string[];
  since?: Date;
  until?: Date;
  resolved?: boolean;
  whitelisted?: boolean;
  output: OutputFormat;
}

const EXAMPLES = `
Examples:
  $ fullstop count                                # open violations per account and type
  $ fullstop count --by type --since 7d
  $ fullstop count --by application --accounts 123456789012
  $ fullstop count --by account --resolved -o json

Without --by: one row per account and type (GET /api/violation-count). --by account or type adds those rows
up; --by application asks for each account's counts per application and version (GET
/api/violation-count/{account}), for --accounts, else the configured accounts, else every account that has
violations. Counts open violations unless --resolved or --whitelisted (which wins). On a terminal the text
table ends in a bar per row.`;

/** Counts violations, grouped as `--by` asks; see {@link CountRow}. */
export async function countViolations(opts: CountOptions, ctx: Context): Promise<CountRow[]> {
  const [client, settings] = await Promise.all([ctx.client(opts), ctx.settings(opts)]);
  const { collectCounts } = await import('./rows.js');
  return collectCounts(client, {
    by: opts.by,
    accounts: settings.accounts,
    query: {
      from: opts.since,
      to: opts.until,
      resolved: opts.resolved === true,
      whitelisted: opts.whitelisted === true,
    },
  });
}

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('count')
    .description('count violations per account and type, account, type or application')
    .addOption(new Option('--by <group>', 'add up per account, type or application').choices(COUNT_GROUPS))
    .addOption(accountsOption())
    .addOption(sinceOption(ctx.now))
    .addOption(untilOption(ctx.now))
    .addOption(new Option('--resolved', 'count resolved violations instead of open ones'))
    .addOption(new Option('--whitelisted', 'count violations whitelisted by a rule (wins over --resolved)'))
    .addOption(outputOption());
  for (const option of connectionOptions()) command.addOption(option);
  command.addHelpText('after', EXAMPLES).action(async (opts: CountOptions) => {
    const rows = await countViolations(opts, ctx);
    const { printCounts } = await import('./print.js');
    await printCounts(rows, opts.by, opts.output, ctx);
  });
}
