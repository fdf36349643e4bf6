import { Option, type Command } from 'commander';
import type { Context } from '../context.js';
import { CliError, ExitSignal, InterruptedError, UsageError, EXIT } from '../errors.js';
import { integer, list, parser } from '../options.js';
import { parseAccounts } from '../settings.js';
import { parseTimeSpec } from '../time-spec.js';
import { startProgressBar } from '../progress.js';
import type { IngestSummary, FileOutcome, RunIngestOptions } from '../../server/ingest/run.js';

export interface IngestCommandOptions {
  db?: string;
  config?: string;
  accounts?: string[];
  regions?: string[];
  since?: Date;
  until?: Date;
  endpointUrl?: string;
  workers?: number;
  retryWait?: number;
  output: 'text' | 'json';
}

const EXAMPLES = `
Sources: a local file or folder (walked recursively; *.json, *.gz, *.jsonl, *.ndjson), s3://bucket/prefix or
sqs://QUEUE_URL. Files already ingested (same source, key and size/mtime or ETag) are skipped.

With a config file whose \`enrichment\` section sets up look-ups (AWS, the application and artifact registries),
records that need them are enriched. A record whose look-ups fail (a registry down, throttling) is stored as a
pending evaluation and retried with backoff: at the start of the next run, before this one ends (--retry-wait),
and by a running \`fullstop server\` with the same config. The rules that are off with the config are listed first.

Exit status: 0 when every file was ingested, 1 when some could not be read (after ingesting all the others).

Examples:
  $ fullstop ingest ./AWSLogs
  $ fullstop ingest s3://my-trail-bucket --accounts 123456789012 --since 7d --db sqlite:./fullstop.db
  $ fullstop ingest s3://logs --endpoint-url http://127.0.0.1:9000 -o json
  $ fullstop ingest ./AWSLogs --config fullstop.yaml --retry-wait 120`;

function summaryLines(s: IngestSummary): string[] {
  return [
    `files       ${s.files} (${s.filesIngested} ingested, ${s.filesAlreadyIngested} already ingested, ${s.filesFailed} failed)`,
    `records     ${s.records} (${s.badRecords} bad records skipped, ${s.ruleErrors} rule errors)`,
    `violations  ${s.violationsNew} new (${s.duplicatesSkipped} duplicates skipped)`,
    ...(s.enrichmentEvents + s.enrichmentRetried + s.enrichmentPending > 0
      ? [
          `enrichment  ${s.enrichmentEvents} records looked up (${s.enrichmentFailed} failed), ${s.enrichmentRetried} retried, ${s.enrichmentPending} pending`,
        ]
      : []),
  ];
}

function summaryJson(s: IngestSummary) {
  return {
    files: s.files,
    files_ingested: s.filesIngested,
    files_already_ingested: s.filesAlreadyIngested,
    files_failed: s.filesFailed,
    records: s.records,
    bad_records: s.badRecords,
    rule_errors: s.ruleErrors,
    violations_new: s.violationsNew,
    duplicates_skipped: s.duplicatesSkipped,
    enrichment_events: s.enrichmentEvents,
    enrichment_failed: s.enrichmentFailed,
    enrichment_retried: s.enrichmentRetried,
    // Pending evaluations left in the store after the run (of this run and earlier ones).
    enrichment_pending: s.enrichmentPending,
    // The newest 100 failures; files_failed counts them all.
    failures: s.failures,
  };
}

/** What to tell about one file: its failure, its records whose look-ups failed, and the rules that threw. */
function problemLines(o: FileOutcome, showPending: boolean): string[] {
  const lines = o.status === 'failed' ? [`failed: ${o.source} ${o.key}: ${o.reason ?? ''}`] : [];
  const pending = o.enrichment?.pending ?? 0;
  if (pending > 0 && showPending)
    lines.push(
      `look-ups failed: ${o.source} ${o.key}: ${pending} record(s) pending, to be retried: ${o.enrichment?.firstError ?? ''}`,
    );
  if (o.ruleErrors === undefined) return lines;
  for (const e of o.ruleErrors.samples)
    lines.push(`rule error: ${o.source} ${o.key}: ${e.rule} threw on event ${e.eventId}: ${e.message}`);
  const more = o.ruleErrors.count - o.ruleErrors.samples.length;
  if (more > 0) lines.push(`rule error: ${o.source} ${o.key}: ${more} more`);
  return lines;
}

/** An outage fails look-ups of every file: the first files are named, the summary counts the rest. */
const PENDING_FILES_SHOWN = 10;

/** The lines of one file's problems, naming at most PENDING_FILES_SHOWN files with failed look-ups per run. */
function problemPrinter(): (o: FileOutcome) => string[] {
  let shown = 0;
  return (o) => {
    const pending = (o.enrichment?.pending ?? 0) > 0;
    const lines = problemLines(o, pending && shown < PENDING_FILES_SHOWN);
    if (pending && ++shown === PENDING_FILES_SHOWN + 1)
      lines.push('look-ups failed: further files not listed (see the summary)');
    return lines;
  };
}

const hasProblem = (o: FileOutcome) =>
  o.status === 'failed' || o.ruleErrors !== undefined || (o.enrichment?.pending ?? 0) > 0;

/** A progress bar on a terminal's stderr; failures are printed as they happen, or after the bar is gone. */
async function progressReporter(
  ctx: Context,
): Promise<{ onFile: (s: IngestSummary, o: FileOutcome) => void; stop: () => void }> {
  const bar = await startProgressBar(
    ctx.io,
    'ingesting {value}/{total} files | {records} records | {violations} new violations',
    { records: 0, violations: 0 },
  );
  const lines = problemPrinter();
  if (bar === undefined) {
    return {
      onFile: (_s, o) => {
        if (hasProblem(o)) for (const line of lines(o)) ctx.io.err(line);
      },
      stop: () => {},
    };
  }
  return {
    onFile(s, o) {
      for (const line of lines(o)) bar.hold(line);
      bar.update(s.filesIngested + s.filesAlreadyIngested + s.filesFailed, s.files, {
        records: s.records,
        violations: s.violationsNew,
      });
    },
    stop: () => bar.stop(),
  };
}

function timeOption(flags: string, description: string, ctx: Context): Option {
  return new Option(flags, description).argParser(parser((value) => parseTimeSpec(value, ctx.now())));
}

/**
 * Says once per run that it waits for files another process claimed: a server replica reading them, or a process
 * that hangs or whose host is gone, whose claims then expire (those of a process that ended are free at once).
 */
function awaitClaimsReporter(ctx: Context): (files: number) => void {
  let told = false;
  return (files) => {
    if (told) return;
    told = true;
    ctx.io.err(
      `waiting for ${files} file(s) claimed by another fullstop process (a server reading them, or one that hangs or lost its host: its claims expire within ingest.lease_seconds, 60 s by default)`,
    );
  };
}

/** Ingests the sources once into the store and returns the summary; the server code is loaded only here. */
export async function ingest(
  sources: string[],
  opts: IngestCommandOptions,
  ctx: Context,
  onFile?: RunIngestOptions['onFile'],
): Promise<IngestSummary> {
  const run = await import('../../server/ingest/run.js');
  const filter = {
    ...(opts.accounts ? { accounts: opts.accounts } : {}),
    ...(opts.regions ? { regions: opts.regions } : {}),
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
  };
  try {
    return await run.runIngest({
      sources,
      filter,
      env: ctx.env as NodeJS.ProcessEnv,
      ...(opts.db !== undefined ? { db: opts.db } : {}),
      ...(opts.config !== undefined ? { configFile: opts.config } : {}),
      ...(opts.endpointUrl !== undefined ? { endpointUrl: opts.endpointUrl } : {}),
      ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
      ...(opts.retryWait !== undefined ? { retryWaitSeconds: opts.retryWait } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(onFile ? { onFile } : {}),
      onAwaitClaims: awaitClaimsReporter(ctx),
      onStart: ({ rulesOff, configFile }) => {
        // Without a config file nothing is configured, and the README says which rules need what.
        if (configFile !== undefined) for (const line of rulesOff) ctx.io.err(line);
      },
    });
  } catch (error) {
    if (error instanceof run.IngestSetupError) throw new UsageError(error.message);
    if (error instanceof run.IngestStoreError)
      throw new StoreTrouble(error.summary, error.trouble === 'unavailable', error.reason);
    throw error;
  }
}

/**
 * The database refused a write or became unavailable: what was committed before is summed up, then the run fails.
 * Claims this run could not drop (the database gone) are free once it has ended, so a re-run reads those files.
 */
class StoreTrouble extends CliError {
  constructor(
    readonly summary: IngestSummary,
    unavailable: boolean,
    reason: string,
  ) {
    super(unavailable ? `the database became unavailable: ${reason}` : `could not write to the database: ${reason}`, {
      hint: unavailable
        ? 'no file is half-written (a commit cut off applies whole or not at all); run the same command again once the database is back (committed files are skipped)'
        : 'the files not committed left nothing behind; run the same command again once the database is writable (committed files are skipped)',
    });
  }
}

function printSummary(ctx: Context, summary: IngestSummary, output: IngestCommandOptions['output']): void {
  if (output === 'json') ctx.io.out(JSON.stringify(summaryJson(summary), null, 2));
  else for (const line of summaryLines(summary)) ctx.io.out(line);
}

export function register(program: Command, ctx: Context): void {
  program
    .command('ingest')
    .description('read CloudTrail logs once, detect violations and store them')
    .argument('<source...>', 'local file or folder, s3://bucket/prefix or sqs://QUEUE_URL')
    .option(
      '--db <url>',
      'database: sqlite:PATH or postgres://USER@HOST/DATABASE (default: FULLSTOP_DB, the config file, then the data dir)',
    )
    .option('--config <file>', 'server config file (YAML): its rules and db settings apply')
    .addOption(
      new Option('--accounts <ids>', 'only log files of these AWS accounts, comma separated').argParser(
        parser(parseAccounts),
      ),
    )
    .addOption(
      new Option('--regions <regions>', 'only log files of these regions, comma separated').argParser(list('regions')),
    )
    .addOption(
      timeOption(
        '-s, --since <time_spec>',
        'only log files delivered on or after this day: 24h, 7d or an ISO date',
        ctx,
      ),
    )
    .addOption(
      timeOption('--until <time_spec>', 'only log files delivered up to this time (same forms as --since)', ctx),
    )
    .option('--endpoint-url <url>', 'S3-compatible endpoint for s3:// sources (default: FULLSTOP_S3_ENDPOINT)')
    .addOption(
      new Option('--workers <n>', 'worker threads parsing files (default: one per core, none on one core)').argParser(
        integer(0, 64),
      ),
    )
    .addOption(
      new Option(
        '--retry-wait <seconds>',
        'before ending, wait this long for records whose look-ups failed to be retried (0: retry those due, no waiting; default 30)',
      ).argParser(integer(0, 86_400)),
    )
    .addOption(new Option('-o, --output <format>', 'summary format').choices(['text', 'json']).default('text'))
    .addHelpText('after', EXAMPLES)
    .action(async (sources: string[], opts: IngestCommandOptions) => {
      const progress = await progressReporter(ctx);
      let summary: IngestSummary;
      let trouble: StoreTrouble | undefined;
      try {
        summary = await ingest(sources, opts, ctx, progress.onFile);
      } catch (error) {
        if (!(error instanceof StoreTrouble)) throw error;
        trouble = error;
        summary = error.summary;
      } finally {
        progress.stop();
      }
      printSummary(ctx, summary, opts.output);
      if (trouble !== undefined) throw trouble;
      if (summary.ruleErrors > 0)
        ctx.io.err(
          `${summary.ruleErrors} rule error(s): a detection rule threw on the records listed above; they were stored without that rule's violations (please report it)`,
        );
      if (summary.enrichmentPending > 0)
        ctx.io.err(
          `${summary.enrichmentPending} record(s) await a retry of their look-ups: the next fullstop ingest or a running fullstop server with the same enrichment config evaluates them`,
        );
      if (ctx.signal?.aborted)
        throw new InterruptedError('interrupted: files not yet committed will be ingested by the next run');
      if (summary.filesFailed > 0) {
        ctx.io.err(
          `${summary.filesFailed} file(s) could not be read as CloudTrail; they are listed above and in GET /api/ingest/failures`,
        );
        throw new ExitSignal(EXIT.failure);
      }
    });
}
