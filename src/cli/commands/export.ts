import type { Command } from 'commander';
import type { Context } from '../context.js';
import { dbOptions, withTransfer, type DbCommandOptions } from './migrate.js';

const EXAMPLES = `
Writes every violation, whitelisting rule, violation type, application version first-seen time, processed-file
record and ingest failure as NDJSON (README: "Moving a store"), read in one snapshot while servers keep running.

Examples:
  $ fullstop export --db sqlite:./fullstop.db > fullstop.ndjson
  $ fullstop export --db 'postgres://fullstop@db.example.org/fullstop' | gzip > backup.ndjson.gz`;

export function register(program: Command, ctx: Context): void {
  dbOptions(program.command('export').description('write the whole store to stdout as NDJSON'))
    .addHelpText('after', EXAMPLES)
    .action(async (opts: DbCommandOptions) => {
      await withTransfer(opts, ctx, async (transfer, url) => {
        const counts = await transfer.exportStore(url, (lines) => ctx.io.out(lines.join('\n')));
        const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
        const parts = transfer.KINDS.map((kind) => `${counts[kind]} ${kind}`).join(', ');
        ctx.io.err(`exported ${total} records: ${parts}`);
      });
    });
}
