/**
 * Enrichment in `fullstop server`: says in the log which rules are off and why, builds the enrichment stage from
 * the config (continuous ingest uses it), and retries pending evaluations while the server runs.
 */
import type { IngestStore } from '../store/store.js';
import type { RulesConfig } from '../rules/config-schema.js';
import { rulesOff } from '../rules/rules-off.js';
import type { EnrichmentConfig } from './config-schema.js';
import { startRetryLoop, type RetryLogger } from './retry-loop.js';
import type { EnrichmentStage } from './stage.js';

export interface ServerEnrichmentOptions {
  config: { rules?: RulesConfig | undefined; enrichment?: EnrichmentConfig | undefined };
  store: IngestStore;
  logger: RetryLogger;
  retryIntervalMs?: number;
  leaseMs?: number;
}

export interface ServerEnrichment {
  /** Undefined when nothing can be looked up (see createEnrichmentStage). */
  stage: EnrichmentStage | undefined;
  /** Stops retrying (waiting for a round in progress) and closes the providers. */
  stop(): Promise<void>;
}

export async function startServerEnrichment(options: ServerEnrichmentOptions): Promise<ServerEnrichment> {
  const { config, logger } = options;
  for (const { type, reasons } of rulesOff(config.rules, config.enrichment))
    logger.info({ rule: type, reasons }, `rule ${type} is off: ${reasons.join('; ')}`);
  if (config.enrichment === undefined) return { stage: undefined, async stop() {} };
  const { createEnrichmentStage } = await import('./setup.js');
  const stage = createEnrichmentStage(config);
  if (stage === undefined) return { stage, async stop() {} };
  const loop = startRetryLoop({
    store: options.store,
    stage,
    logger,
    ...(options.retryIntervalMs !== undefined ? { intervalMs: options.retryIntervalMs } : {}),
    ...(options.leaseMs !== undefined ? { leaseMs: options.leaseMs } : {}),
  });
  return {
    stage,
    async stop() {
      await loop.stop();
      await stage.close();
    },
  };
}
