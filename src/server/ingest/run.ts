/**
 * `fullstop ingest`: one pass over the given sources into the store. The CLI's only entry into ingestion
 * (loaded with a dynamic import, so the CLI's other commands never load the server code).
 */
import { availableParallelism } from 'node:os';
import type { ServerConfig } from '../config.js';
import { openStore, StoreOpenError, StoreUrlError } from '../store/open-store.js';
import type { StoreWriteTrouble } from '../store/store-errors.js';
import { storeTrouble } from '../store/outage.js';
import { emptySummary, ingestListing, ingestMessage, type FileOutcome, type IngestSummary } from './ingest.js';
import { createInlineProcessor, createPooledProcessor, workersAvailable, type FileProcessor } from './processor.js';
import type { Source, SourceFilter } from './source.js';
import { createSource, IngestSetupError } from './sources.js';
import type { EnrichmentStage } from '../enrich/stage.js';
import { retryDue, retryUntil, type RetryCounts } from '../enrich/retry.js';

export { IngestSetupError } from './sources.js';
export { StoreWriteError } from '../store/store-errors.js';

/**
 * The database refused a write (locked too long, disk full…) or became unavailable (PostgreSQL restarting, the
 * network to it gone): the run stopped there. `summary` counts what was committed before; the files of the failed
 * transaction left nothing behind and are read again by the next run. `reason` says what happened, in words.
 */
export class IngestStoreError extends Error {
  override name = 'IngestStoreError';
  constructor(
    readonly summary: IngestSummary,
    readonly trouble: StoreWriteTrouble | 'unavailable',
    readonly reason: string,
    cause: unknown,
  ) {
    super(reason, { cause });
  }
}
export type { IngestSummary, FileOutcome } from './ingest.js';

/**
 * A queue is drained until a long poll this long finds it empty. Long polling asks every SQS host (a short poll
 * only some), so an empty answer means no message is visible: no need to wait longer for stragglers.
 */
export const DRAIN_WAIT_SECONDS = 2;

export interface RunIngestOptions {
  sources: string[];
  db?: string;
  configFile?: string;
  filter?: SourceFilter;
  endpointUrl?: string;
  /** Worker threads; undefined picks one per available core (none on a single core). */
  workers?: number;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onFile?: (summary: IngestSummary, outcome: FileOutcome) => void;
  /** Called each time the run waits for files other processes hold (a replica, or a run that died), with their count. */
  onAwaitClaims?: (files: number) => void;
  /**
   * Before the run ends, how long to wait for pending evaluations (events whose look-ups failed) to come due and
   * be retried; 0 retries those due now and waits for none. Default DEFAULT_RETRY_WAIT_SECONDS.
   */
  retryWaitSeconds?: number;
  /** Called once the config is read, before any file: the rules that are off with it, and why. */
  onStart?: (info: { rulesOff: string[]; configFile: string | undefined }) => void;
}

export const DEFAULT_RETRY_WAIT_SECONDS = 30;

/** Worker threads to use by default: one per core when there is more than one. */
export function defaultWorkers(): number {
  const cores = availableParallelism();
  return cores > 1 && workersAvailable() ? cores : 0;
}

function createProcessor(config: ServerConfig, workers: number): FileProcessor {
  return workers > 0 && workersAvailable()
    ? createPooledProcessor(config.rules, workers, config.enrichment)
    : createInlineProcessor(config.rules, config.enrichment);
}

/** The enrichment stage when the config sets look-ups up; its module (the AWS SDK) loads only then. */
async function enrichmentStage(config: ServerConfig): Promise<EnrichmentStage | undefined> {
  if (config.enrichment === undefined) return undefined;
  const { createEnrichmentStage } = await import('../enrich/setup.js');
  return createEnrichmentStage(config);
}

/** The config file and the database URL (flag, then FULLSTOP_DB, then the config file, then the default). */
async function settings(
  options: RunIngestOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ config: ServerConfig; dbUrl: string }> {
  const given = options.db ?? (env['FULLSTOP_DB'] || undefined);
  // The config module loads a YAML parser and a schema library (~0.2 s): only when there is something to read.
  if (options.configFile === undefined && given !== undefined) return { config: {}, dbUrl: given };
  const { defaultDbUrl, loadConfigFile, ServerConfigError } = await import('../config.js');
  let config: ServerConfig = {};
  try {
    if (options.configFile !== undefined) config = loadConfigFile(options.configFile);
  } catch (error) {
    if (error instanceof ServerConfigError) throw new IngestSetupError(error.message);
    throw error;
  }
  return { config, dbUrl: given ?? config.db ?? defaultDbUrl(env) };
}

export async function runIngest(options: RunIngestOptions): Promise<IngestSummary> {
  const env = options.env ?? process.env;
  const { config, dbUrl } = await settings(options, env);
  const sources: Source[] = [];
  for (const spec of options.sources)
    sources.push(
      await createSource(spec, {
        ...(options.endpointUrl ? { endpointUrl: options.endpointUrl } : {}),
        queueWaitSeconds: DRAIN_WAIT_SECONDS,
        env,
      }),
    );
  let store;
  try {
    store = await openStore(dbUrl, {
      ...(config.db_pool_size !== undefined ? { poolSize: config.db_pool_size } : {}),
      ...(config.ingest?.lease_seconds !== undefined ? { leaseSeconds: config.ingest.lease_seconds } : {}),
    });
  } catch (error) {
    if (error instanceof StoreUrlError || error instanceof StoreOpenError) throw new IngestSetupError(error.message);
    throw new IngestSetupError(`cannot open the database ${dbUrl}: ${(error as Error).message}`);
  }
  if (options.onStart !== undefined) {
    const { describeRulesOff, rulesOff } = await import('../rules/rules-off.js');
    options.onStart({
      rulesOff: describeRulesOff(rulesOff(config.rules, config.enrichment)),
      configFile: options.configFile,
    });
  }
  const stage = await enrichmentStage(config);
  const processor = createProcessor(config, options.workers ?? defaultWorkers());
  const summary = emptySummary();
  // A one-shot run ends with every listed file committed: what server replicas hold is waited for.
  const ctx = {
    store,
    processor,
    summary,
    enrichment: stage,
    awaitClaimedElsewhere: true,
    ...(options.onFile ? { onFile: options.onFile } : {}),
    ...(options.onAwaitClaims ? { onAwaitClaims: options.onAwaitClaims } : {}),
  };
  try {
    // Evaluations left pending by earlier runs, now that the systems may answer again.
    if (stage !== undefined) addRetries(summary, await retryDue({ store, stage, signal: options.signal }));
    for (const source of sources) {
      if (options.signal?.aborted) break;
      if (source.kind === 'listing') await ingestListing(source, options.filter ?? {}, ctx, options.signal);
      else {
        const signal = options.signal ?? new AbortController().signal;
        for await (const message of source.receive(signal, { untilEmpty: true })) await ingestMessage(message, ctx);
      }
    }
    if (stage !== undefined && !options.signal?.aborted) {
      const seconds = options.retryWaitSeconds ?? DEFAULT_RETRY_WAIT_SECONDS;
      addRetries(
        summary,
        await retryUntil({ store, stage, signal: options.signal, deadline: Date.now() + seconds * 1000 }),
      );
    }
    summary.enrichmentPending = (await store.pendingEvaluationStatus()).count;
  } catch (error) {
    const trouble = storeTrouble(error);
    if (trouble !== undefined) throw new IngestStoreError(summary, trouble.trouble, trouble.reason, error);
    throw error;
  } finally {
    await processor.close();
    await stage?.close();
    await store.close();
  }
  return summary;
}

function addRetries(summary: IngestSummary, counts: RetryCounts): void {
  summary.enrichmentRetried += counts.evaluated;
  summary.violationsNew += counts.violations;
  summary.ruleErrors += counts.ruleErrors.length;
}
