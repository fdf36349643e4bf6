import type { Command } from 'commander';
import type { Context } from '../context.js';
import { CliError, UsageError } from '../errors.js';

const EXAMPLES = `
Runs the database migrations that \`fullstop server\` and \`fullstop ingest\` run at start-up, and nothing else:
for deploy pipelines that migrate before they start the servers. Several at once are safe (PostgreSQL: an
advisory lock; the first one migrates, the others find nothing to do). Prints each migration it applied.

Examples:
  $ fullstop migrate --db 'postgres://fullstop@db.example.org/fullstop'
  $ FULLSTOP_DB=sqlite:/var/lib/fullstop/fullstop.db fullstop migrate`;

export interface DbCommandOptions {
  db?: string;
  config?: string;
}

/** `--db` and `--config`, as `export` and `import` take them too. */
export function dbOptions(command: Command): Command {
  return command
    .option(
      '--db <url>',
      'database: sqlite:PATH or postgres://USER@HOST/DATABASE (default: FULLSTOP_DB, the config file, then the data dir)',
    )
    .option('--config <file>', 'server config file (YAML): its db setting applies');
}

/** Loads the store code (the CLI's one way in for these commands) and runs `fn` with the resolved URL. */
export async function withTransfer<T>(
  opts: DbCommandOptions,
  ctx: Context,
  fn: (transfer: typeof import('../../server/store/transfer/index.js'), url: string) => Promise<T>,
): Promise<T> {
  const transfer = await import('../../server/store/transfer/index.js');
  const { ServerConfigError } = await import('../../server/config.js');
  let url: string;
  try {
    url = await transfer.resolveDbUrl(opts, ctx.env);
  } catch (error) {
    if (error instanceof ServerConfigError) throw new UsageError(error.message);
    throw error;
  }
  try {
    return await fn(transfer, url);
  } catch (error) {
    if (error instanceof transfer.TransferError) throw new CliError(error.message);
    throw error;
  }
}

export function register(program: Command, ctx: Context): void {
  dbOptions(program.command('migrate').description('bring the database schema up to date, then exit'))
    .addHelpText('after', EXAMPLES)
    .action(async (opts: DbCommandOptions) => {
      const applied = await withTransfer(opts, ctx, (transfer, url) => transfer.migrateStore(url));
      for (const name of applied) ctx.io.out(`applied ${name}`);
      if (applied.length === 0) ctx.io.err('the database is up to date');
    });
}
