/**
 * The retries of a running `fullstop server`: every interval, the pending evaluations that are due are retried
 * (retry.ts). Replicas on one PostgreSQL database each claim their own rows. A failing round (the database away)
 * is logged and tried again at the next interval; it never stops the server.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { IngestStore } from '../store/store.js';
import { retryDue, type RetryOptions } from './retry.js';
import type { EnrichmentStage } from './stage.js';

export interface RetryLogger {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface RetryLoopOptions {
  store: IngestStore;
  stage: EnrichmentStage;
  logger: RetryLogger;
  /** Default 5 s: the first retry of a failure is due 5 s after it. */
  intervalMs?: number;
  leaseMs?: RetryOptions['leaseMs'];
}

export const DEFAULT_RETRY_INTERVAL_MS = 5_000;

export function startRetryLoop(options: RetryLoopOptions): { stop(): Promise<void> } {
  const controller = new AbortController();
  const { signal } = controller;
  const interval = options.intervalMs ?? DEFAULT_RETRY_INTERVAL_MS;
  const loop = (async () => {
    while (!signal.aborted) {
      try {
        const counts = await retryDue({ ...options, signal });
        if (counts.evaluated + counts.rescheduled + counts.lost > 0)
          options.logger.info(
            {
              evaluated: counts.evaluated,
              rescheduled: counts.rescheduled,
              lost: counts.lost,
              violations: counts.violations,
              ruleErrors: counts.ruleErrors.length,
            },
            'retried pending evaluations',
          );
        if (counts.ruleErrors.length > 0)
          options.logger.error({ errors: counts.ruleErrors.slice(0, 5) }, 'rule error in a retried evaluation');
      } catch (error) {
        options.logger.error({ err: error }, 'retrying pending evaluations failed; trying again at the next interval');
      }
      await delay(interval, undefined, { signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
