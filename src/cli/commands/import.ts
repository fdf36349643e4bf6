import { createReadStream } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../context.js';
import { dbOptions, withTransfer, type DbCommandOptions } from './migrate.js';

const EXAMPLES = `
Reads an export of \`fullstop export\` (from FILE, or stdin when FILE is - or absent) into the store, in one
transaction: everything, or nothing when a line is wrong or the export was cut short. Ids, versions, comments,
times and rule links are kept. Records whose id (or key) the store has already are left as they are (types are
replaced by the export's), so importing the same export twice adds nothing. Import into a quiet store: running
servers wait for the transaction.

Examples:
  $ fullstop export --db sqlite:./fullstop.db | fullstop import --db 'postgres://fullstop@db.example.org/fullstop'
  $ fullstop import --db sqlite:./restored.db backup.ndjson`;

export function register(program: Command, ctx: Context): void {
  dbOptions(
    program
      .command('import')
      .description('add the records of an NDJSON export to the store')
      .argument('[file]', 'the export to read; - or absent: stdin'),
  )
    .addHelpText('after', EXAMPLES)
    .action(async (file: string | undefined, opts: DbCommandOptions) => {
      await withTransfer(opts, ctx, async (transfer, url) => {
        const input = file === undefined || file === '-' ? process.stdin : createReadStream(file);
        const { read, inserted, updated } = await transfer.importStore(url, input);
        for (const kind of transfer.KINDS) {
          const kept = read[kind] - inserted[kind] - updated[kind];
          const replaced = updated[kind] > 0 ? `, ${updated[kind]} replaced` : '';
          ctx.io.err(
            `${kind.padEnd(15)} ${read[kind]} read, ${inserted[kind]} added${replaced}, ${kept} already there`,
          );
        }
      });
    });
}
