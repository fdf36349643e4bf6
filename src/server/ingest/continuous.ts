/**
 * Continuous ingestion for `fullstop server --ingest SOURCE`: queues are consumed as messages arrive, listing
 * sources (folders, S3 prefixes) are listed again every poll interval, mostly incrementally (listing-poller.ts),
 * and only new or changed files are read. A file that is not CloudTrail is logged once and not read again until
 * it changes (the store remembers its fingerprint, across restarts too). A failing pass (network, permissions) is
 * logged and retried at the next interval; it never stops the server.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { RulesConfig } from '../rules/config-schema.js';
import type { EnrichmentConfig } from '../enrich/config-schema.js';
import type { EnrichmentStage } from '../enrich/stage.js';
import type { IngestStore } from '../store/store.js';
import { storeTrouble } from '../store/outage.js';
import { emptySummary, ingestListing, ingestMessage, type FileOutcome, type IngestContext } from './ingest.js';
import { ListingPoller } from './listing-poller.js';
import { createInlineProcessor, createPooledProcessor, workersAvailable } from './processor.js';
import type { ListingSource, QueueSource, Source } from './source.js';
import type { IngestSummary } from './ingest-types.js';

export interface IngestLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ContinuousIngestOptions {
  store: IngestStore;
  sources: Source[];
  rulesConfig?: RulesConfig;
  /** With `stage`: records that need look-ups are deferred by the readers and enriched by the stage. */
  enrichmentConfig?: EnrichmentConfig | undefined;
  stage?: EnrichmentStage | undefined;
  logger: IngestLogger;
  signal: AbortSignal;
  /** Default 60 s. */
  pollIntervalMs?: number;
  /** How often a listing source is listed whole rather than incrementally; default 6 h. */
  fullListingIntervalMs?: number;
  /** Worker threads; default one (keeps parsing off the HTTP event loop) when the build has them. */
  workers?: number;
}

export interface ContinuousIngest {
  /** Resolves once every loop has stopped after the signal aborted and the workers are gone. */
  done: Promise<void>;
  /** What each source's loop is doing, for `/health`. */
  status(): SourceStatus[];
}

/**
 * A source's work as this server knows it. For a folder or prefix: the current poll, or the last one while it
 * waits for the next; for a queue: everything since start. `pending` files were listed (or received) and are
 * neither committed, nor recorded as failed, nor done before, nor held by another replica.
 */
export interface SourceStatus {
  source: string;
  state: 'listing' | 'waiting' | 'receiving';
  listed: number;
  committed: number;
  failed: number;
  done_before: number;
  claimed_elsewhere: number;
  pending: number;
}

function sourceStatus(source: Source, state: SourceStatus['state'], s: IngestSummary): SourceStatus {
  const doneBefore = s.filesAlreadyIngested + s.filesFailedBefore;
  return {
    source: source.url,
    state,
    listed: s.files,
    committed: s.filesIngested,
    failed: s.filesFailed,
    done_before: doneBefore,
    claimed_elsewhere: s.filesClaimedElsewhere,
    pending: s.files - s.filesIngested - s.filesFailed - doneBefore - s.filesClaimedElsewhere,
  };
}

/** One loop's context, and what it is doing now. */
interface Loop {
  source: Source;
  ctx: IngestContext;
  state: SourceStatus['state'];
}

/** Waits `ms`, or less when the signal aborts (which ends the loop that waits). */
async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}

export const DEFAULT_FULL_LISTING_MS = 6 * 3600_000;

async function pollListing(loop: Loop, source: ListingSource, opts: ContinuousIngestOptions, interval: number) {
  const { ctx } = loop;
  const poller = new ListingPoller(source, opts.fullListingIntervalMs ?? DEFAULT_FULL_LISTING_MS);
  while (!opts.signal.aborted) {
    ctx.summary = emptySummary();
    loop.state = 'listing';
    try {
      const pass = poller.pass();
      await ingestListing(pass, {}, ctx, opts.signal);
      if (!opts.signal.aborted) pass.complete();
      const s = ctx.summary;
      if (s.filesIngested + s.filesFailed > 0) {
        opts.logger.info(
          {
            source: source.url,
            files: s.filesIngested,
            failed: s.filesFailed,
            records: s.records,
            violations: s.violationsNew,
            ruleErrors: s.ruleErrors,
            claimedElsewhere: s.filesClaimedElsewhere,
            ...(s.enrichmentEvents > 0 ? { lookedUp: s.enrichmentEvents, lookupsFailed: s.enrichmentFailed } : {}),
            fullListing: pass.full,
          },
          'ingested new files',
        );
      }
    } catch (error) {
      const trouble = storeTrouble(error);
      if (trouble !== undefined)
        opts.logger.error(
          { source: source.url, ...trouble, committed: ctx.summary.filesIngested },
          `ingest pass failed: ${troubleWords(trouble.trouble)}; the files not committed are read again at the next poll`,
        );
      else opts.logger.error({ source: source.url, err: error }, 'ingest pass failed; retrying at the next interval');
    }
    loop.state = 'waiting';
    await sleep(interval, opts.signal);
  }
}

async function consumeQueue(loop: Loop, source: QueueSource, opts: ContinuousIngestOptions, retryMs: number) {
  const { ctx } = loop;
  while (!opts.signal.aborted) {
    try {
      for await (const message of source.receive(opts.signal)) {
        const acked = await ingestMessage(message, ctx);
        if (!acked)
          opts.logger.warn(
            { source: source.url, objects: message.objects.map((o) => o.key) },
            'left a message for redelivery: a file could not be fetched',
          );
      }
    } catch (error) {
      if (opts.signal.aborted) break;
      const trouble = storeTrouble(error);
      if (trouble !== undefined)
        opts.logger.error(
          { source: source.url, ...trouble },
          `queue message not ingested: ${troubleWords(trouble.trouble)}; it is left for redelivery`,
        );
      else opts.logger.error({ source: source.url, err: error }, 'queue receive failed; retrying');
      await sleep(retryMs, opts.signal);
    }
  }
}

/** The start of the log message for store trouble; its `reason` field tells the cause. */
function troubleWords(trouble: string): string {
  return trouble === 'unavailable' ? 'the database is unavailable' : 'could not write to the database';
}

/** Logs what went wrong with a file: it failed, or a rule threw on one of its records. */
export function logOutcome(logger: IngestLogger, outcome: FileOutcome): void {
  const { source, key } = outcome;
  if (outcome.status === 'failed') logger.warn({ source, key, reason: outcome.reason }, 'file not ingested');
  const pending = outcome.enrichment?.pending ?? 0;
  if (pending > 0)
    logger.warn(
      { source, key, pending, error: outcome.enrichment?.firstError },
      'look-ups failed: records kept as pending evaluations, to be retried',
    );
  // A rule threw: a bug to report. The file's records are stored; that rule found nothing in them.
  if (outcome.ruleErrors !== undefined)
    logger.error({ source, key, count: outcome.ruleErrors.count, errors: outcome.ruleErrors.samples }, 'rule error');
}

/** Starts one loop per source; stop them by aborting `signal`, then await `done`. */
export function startContinuousIngest(opts: ContinuousIngestOptions): ContinuousIngest {
  const interval = opts.pollIntervalMs ?? 60_000;
  const workers = opts.workers ?? (workersAvailable() ? 1 : 0);
  // Without a stage nothing may be deferred: the readers then evaluate every record at once.
  const enrichment = opts.stage === undefined ? undefined : opts.enrichmentConfig;
  const processor =
    workers > 0
      ? createPooledProcessor(opts.rulesConfig, workers, enrichment)
      : createInlineProcessor(opts.rulesConfig, enrichment);
  const onFile = (_summary: unknown, outcome: FileOutcome) => logOutcome(opts.logger, outcome);
  const loops: Loop[] = opts.sources.map((source) => ({
    source,
    ctx: {
      store: opts.store,
      processor,
      enrichment: opts.stage,
      summary: emptySummary(),
      onFile,
      skipFailedBefore: true,
    },
    state: source.kind === 'listing' ? 'listing' : 'receiving',
  }));
  const running = loops.map((loop) =>
    loop.source.kind === 'listing'
      ? pollListing(loop, loop.source, opts, interval)
      : consumeQueue(loop, loop.source, opts, Math.min(interval, 5_000)),
  );
  opts.logger.info(
    { sources: opts.sources.map((s) => s.url), pollIntervalSeconds: interval / 1000 },
    'continuous ingest started',
  );
  return {
    done: Promise.allSettled(running).then(() => processor.close()),
    status: () => loops.map((loop) => sourceStatus(loop.source, loop.state, loop.ctx.summary)),
  };
}
