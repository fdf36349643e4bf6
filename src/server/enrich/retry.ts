/**
 * Retries pending evaluations: claims the due rows a batch at a time (several processes on one database each get
 * their own rows), evaluates each again through the enrichment stage, and settles the batch in one transaction:
 * an evaluated row commits its violations and lifecycle records and is deleted, a failed one waits with backoff.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { CloudTrailEvent } from '../rules/event.js';
import type { RuleError } from '../rules/index.js';
import type { PendingEvaluation, PendingSettlement } from '../store/enrichment-types.js';
import type { IngestStore } from '../store/store.js';
import { pendingClaimant } from '../store/claims.js';
import { retryDelayMs } from './backoff.js';
import type { EnrichmentStage } from './stage.js';

/** Rows claimed and retried together (one claim, one settling transaction). */
export const RETRY_BATCH = 200;
/**
 * How long a claim lasts. A batch takes a few look-up timeouts at worst; a process that dies holding rows
 * leaves them to the others after this long.
 */
export const DEFAULT_LEASE_MS = 5 * 60_000;

export interface RetryCounts {
  /** Rows evaluated: their verdicts are committed and the rows are gone. */
  evaluated: number;
  /** Rows whose look-ups failed again: rescheduled. */
  rescheduled: number;
  /** Rows another claimant had taken over by the time this one settled (its lease had run out). */
  lost: number;
  /** Violations those evaluations added. */
  violations: number;
  ruleErrors: RuleError[];
}

export interface RetryOptions {
  store: IngestStore;
  stage: EnrichmentStage;
  signal?: AbortSignal | undefined;
  batch?: number;
  leaseMs?: number;
}

export const noRetries = (): RetryCounts => ({ evaluated: 0, rescheduled: 0, lost: 0, violations: 0, ruleErrors: [] });

async function settlementFor(
  row: PendingEvaluation,
  stage: EnrichmentStage,
  onRuleError: (e: RuleError) => void,
): Promise<PendingSettlement> {
  let event: CloudTrailEvent;
  try {
    event = JSON.parse(row.event) as CloudTrailEvent;
  } catch {
    return failed(row, stage, 'the stored event is not JSON', false);
  }
  const outcome = await stage.evaluateEvent(event, onRuleError);
  if (!outcome.ok) return failed(row, stage, outcome.error, outcome.retryable);
  return { id: row.id, outcome: 'evaluated', drafts: [...outcome.drafts], lifecycles: outcome.lifecycles };
}

function failed(
  row: PendingEvaluation,
  stage: EnrichmentStage,
  lastError: string,
  retryable: boolean,
): PendingSettlement {
  return {
    id: row.id,
    outcome: 'failed',
    lastError,
    retryable,
    delayMs: retryDelayMs(row.attempts, retryable),
    configFingerprint: stage.configFingerprint,
  };
}

/**
 * Retries the rows due now, batch after batch, until none is due or every row was tried once by this call
 * (a row failing again comes back after its backoff, not in the same call).
 */
export async function retryDue(options: RetryOptions): Promise<RetryCounts> {
  const { store, stage, signal } = options;
  const counts = noRetries();
  const tried = new Set<number>();
  const onRuleError = (error: RuleError) => counts.ruleErrors.push(error);
  while (signal?.aborted !== true) {
    const claimant = pendingClaimant();
    const rows = await store.claimPendingEvaluations({
      claimant,
      limit: options.batch ?? RETRY_BATCH,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      configFingerprint: stage.configFingerprint,
    });
    if (rows.length === 0) break;
    const settlements: PendingSettlement[] = await Promise.all(
      rows.map((row) => settlementFor(row, stage, onRuleError)),
    );
    for (const result of await store.settlePendingEvaluations(claimant, settlements)) {
      if (result.status === 'evaluated') {
        counts.evaluated += 1;
        counts.violations += result.inserted;
      } else if (result.status === 'rescheduled') counts.rescheduled += 1;
      else counts.lost += 1;
    }
    const fresh = rows.filter((row) => !tried.has(row.id));
    for (const row of rows) tried.add(row.id);
    if (fresh.length === 0) break;
  }
  return counts;
}

export function addCounts(total: RetryCounts, more: RetryCounts): RetryCounts {
  return {
    evaluated: total.evaluated + more.evaluated,
    rescheduled: total.rescheduled + more.rescheduled,
    lost: total.lost + more.lost,
    violations: total.violations + more.violations,
    ruleErrors: [...total.ruleErrors, ...more.ruleErrors],
  };
}

/**
 * Retries until no row is pending, or until the next one would come due after `deadline` (epoch ms): what
 * `fullstop ingest` does before it ends (`--retry-wait`).
 */
export async function retryUntil(options: RetryOptions & { deadline: number }): Promise<RetryCounts> {
  let counts = noRetries();
  while (options.signal?.aborted !== true) {
    counts = addCounts(counts, await retryDue(options));
    const status = await options.store.pendingEvaluationStatus();
    if (status.count === 0 || status.nextDueInMs === null) break;
    const wait = Math.max(status.nextDueInMs, 100);
    if (Date.now() + wait > options.deadline) break;
    await delay(wait, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
  }
  return counts;
}
