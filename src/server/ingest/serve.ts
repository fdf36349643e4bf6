/** Starts continuous ingestion inside `fullstop server` from `--ingest` flags and the config's `ingest` section. */
import { ServerConfigError, type ServerConfig } from '../config.js';
import type { IngestStore } from '../store/store.js';
import type { EnrichmentStage } from '../enrich/stage.js';
import { startContinuousIngest, type IngestLogger, type SourceStatus } from './continuous.js';
import type { Source } from './source.js';
import { createSource, IngestSetupError } from './sources.js';

export interface ServerIngestOptions {
  /** Sources from `--ingest` (repeatable); the config's `ingest.sources` are added. */
  flags: string[];
  config: ServerConfig;
  store: IngestStore;
  logger: IngestLogger;
  env: NodeJS.ProcessEnv;
  /** The server's enrichment stage, when the config sets look-ups up. */
  stage?: EnrichmentStage | undefined;
}

export interface ServerIngest {
  /** Stops the loops and waits for them. */
  stop(): Promise<void>;
  /** What each source's loop is doing (for `/health`). */
  status(): SourceStatus[];
}

/** Returns undefined when there is nothing to ingest. */
export async function startServerIngest(options: ServerIngestOptions): Promise<ServerIngest | undefined> {
  const specs = [...new Set([...options.flags, ...(options.config.ingest?.sources ?? [])])];
  if (specs.length === 0) return undefined;
  const sources: Source[] = [];
  for (const spec of specs) {
    try {
      sources.push(await createSource(spec, { env: options.env }));
    } catch (error) {
      if (error instanceof IngestSetupError) throw new ServerConfigError(`--ingest: ${error.message}`);
      throw error;
    }
  }
  const controller = new AbortController();
  const seconds = options.config.ingest?.poll_interval_seconds;
  const fullSeconds = options.config.ingest?.full_listing_interval_seconds;
  const running = startContinuousIngest({
    store: options.store,
    sources,
    ...(options.config.rules ? { rulesConfig: options.config.rules } : {}),
    enrichmentConfig: options.config.enrichment,
    stage: options.stage,
    logger: options.logger,
    signal: controller.signal,
    ...(seconds !== undefined ? { pollIntervalMs: seconds * 1000 } : {}),
    ...(fullSeconds !== undefined ? { fullListingIntervalMs: fullSeconds * 1000 } : {}),
  });
  return {
    async stop() {
      controller.abort();
      await running.done;
    },
    status: running.status,
  };
}
