import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { connectionOptions, filterOptions, parser, type ConnectionOptions, type FilterOptions } from '../../options.js';

export const WATCH_FORMATS = ['text', 'ndjson', 'tsv', 'csv'] as const;
export type WatchFormat = (typeof WATCH_FORMATS)[number];

export interface WatchOptions extends Omit<FilterOptions, 'limit' | 'until'>, ConnectionOptions {
  output: WatchFormat;
  /** Milliseconds. */
  interval: number;
}

const EXAMPLES = `
Examples:
  $ fullstop watch
  $ fullstop watch -t WRONG_REGION,EC2_WITH_KEYPAIR --interval 1m
  $ fullstop watch --since 1h -o ndjson | jq -c 'select(.violation_type.violation_severity >= 3)'

Prints each new open violation as it arrives, once (polling GET /api/violations for ids above the newest
seen a minute before, so that a violation committed late with a lower id is not missed); --since prints those
of that period first. The filters are those of list-violations. Ctrl-C or SIGTERM stop
it with exit status 0. When the server cannot be reached or fails, it says so on stderr and tries again,
waiting twice as long each time (up to 5 minutes); a refused token ends it (exit 4).`;

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `--interval`: 10s, 1m, 500ms or plain seconds; at least 100 ms. */
export const parseInterval = parser((value) => {
  const match = DURATION.exec(value.trim());
  const ms = match ? Number(match[1]) * UNIT_MS[(match[2] ?? 's').toLowerCase()]! : Number.NaN;
  if (!(ms >= 100 && ms <= 86_400_000)) throw new Error('expected a duration from 100ms to 24h, e.g. 10s or 1m');
  return ms;
});

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('watch')
    .description('print new violations as they arrive, until stopped')
    .addOption(
      new Option('-o, --output <format>', 'output format (ndjson: one JSON object per line)')
        .choices(WATCH_FORMATS)
        .default('text'),
    )
    .addOption(
      new Option('--interval <duration>', 'time between polls: 10s, 1m, 500ms')
        .argParser(parseInterval)
        .default(10_000, '10s'),
    );
  for (const option of filterOptions(ctx.now)) {
    if (option.long !== '--limit' && option.long !== '--until') command.addOption(option);
  }
  for (const option of connectionOptions()) command.addOption(option);
  command.addHelpText('after', EXAMPLES).action(async (opts: WatchOptions) => {
    const { watch } = await import('./run.js');
    await watch(opts, ctx);
  });
}
