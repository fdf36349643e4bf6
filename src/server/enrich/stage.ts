/**
 * The enrichment stage of ingest, between reading a file and committing it: the records that need look-ups
 * (`FileResult.deferred`) are enriched, all of a file's at once and every file's concurrently (the providers share
 * identical look-ups and cache the answers), then evaluated with their facts. A record whose look-ups failed is
 * not evaluated at all: it becomes a pending evaluation, committed with its file and tried again later, so a
 * failure never turns into a wrong verdict and nothing is lost. Retries evaluate the same way (`evaluateEvent`).
 */
import pLimit from 'p-limit';
import type { ViolationDraft } from '../model.js';
import type { CloudTrailEvent } from '../rules/event.js';
import { accountIdOf } from '../rules/event.js';
import { createEvaluator, type Evaluator, type RuleError } from '../rules/index.js';
import type { FileResult } from '../ingest/cloudtrail.js';
import { RULE_ERROR_SAMPLES } from '../ingest/cloudtrail.js';
import type { LifecycleRecord, PendingEvaluationDraft } from '../store/enrichment-types.js';
import { retryDelayMs } from './backoff.js';
import { enrich } from './enrich.js';
import { EnrichmentFailedError } from './errors.js';
import { lifecycleRecords } from './lifecycle.js';
import type { Providers } from './providers.js';

/** What evaluating one event gave: its verdict, or why there is none yet. */
export type EventEvaluation =
  | { ok: true; drafts: readonly ViolationDraft[]; lifecycles: LifecycleRecord[] }
  | { ok: false; error: string; retryable: boolean };

/** Stored errors are cut to this length: a failure names every look-up, and an outage can fail many. */
const MAX_ERROR_LENGTH = 2000;
/**
 * Records enriched at once by a stage. Their look-ups run side by side (the providers bound the calls per system);
 * this bounds what waits, so a huge file does not put more look-ups in flight than the caches hold entries.
 */
export const RECORDS_IN_FLIGHT = 1_000;

export interface EnrichmentStageOptions {
  providers: Providers;
  /** The configuration evaluations run under (configFingerprint()). */
  configFingerprint: string;
}

export class EnrichmentStage {
  readonly providers: Providers;
  readonly configFingerprint: string;
  private readonly evaluate: Evaluator;

  private readonly limit = pLimit(RECORDS_IN_FLIGHT);

  constructor(options: EnrichmentStageOptions) {
    this.providers = options.providers;
    this.configFingerprint = options.configFingerprint;
    this.evaluate = createEvaluator(options.providers.config);
  }

  /** Looks the event's facts up and runs the rules on them; a failed look-up is reported, never thrown. */
  evaluateEvent(event: CloudTrailEvent, onRuleError?: (error: RuleError) => void): Promise<EventEvaluation> {
    return this.limit(() => this.evaluateNow(event, onRuleError));
  }

  private async evaluateNow(
    event: CloudTrailEvent,
    onRuleError?: (error: RuleError) => void,
  ): Promise<EventEvaluation> {
    try {
      const enriched = await enrich(event, this.providers);
      return {
        ok: true,
        drafts: this.evaluate(event, enriched.facts, onRuleError),
        lifecycles: lifecycleRecords(enriched),
      };
    } catch (error) {
      // Not a look-up failure but a bug of ours: kept pending like a failure that needs a fix, not lost.
      const retryable = error instanceof EnrichmentFailedError ? error.retryable : false;
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: message.slice(0, MAX_ERROR_LENGTH), retryable };
    }
  }

  /** Evaluates a file's deferred records; those whose look-ups failed become its pending evaluations. */
  async complete(result: FileResult, origin: { source: string; key: string }): Promise<FileResult> {
    if (result.deferred.length === 0) return result;
    let ruleErrors = result.ruleErrors;
    const ruleErrorSamples = [...result.ruleErrorSamples];
    const onRuleError = (error: RuleError) => {
      ruleErrors += 1;
      if (ruleErrorSamples.length < RULE_ERROR_SAMPLES) ruleErrorSamples.push(error);
    };
    const outcomes = await Promise.all(result.deferred.map((event) => this.evaluateEvent(event, onRuleError)));
    const drafts = [...result.drafts];
    const lifecycles = [...(result.lifecycles ?? [])];
    const pending = [...(result.pending ?? [])];
    outcomes.forEach((outcome, i) => {
      const event = result.deferred[i]!;
      if (outcome.ok) {
        for (const draft of outcome.drafts) drafts.push(draft);
        for (const record of outcome.lifecycles) lifecycles.push(record);
        return;
      }
      pending.push({
        eventId: event.eventID,
        // The reader only hands over events with an account id.
        accountId: accountIdOf(event) ?? '',
        region: event.awsRegion,
        event: JSON.stringify(event),
        source: origin.source,
        key: origin.key,
        configFingerprint: this.configFingerprint,
        lastError: outcome.error,
        retryable: outcome.retryable,
        delayMs: retryDelayMs(1, outcome.retryable),
      });
    });
    const enriched = (result.enriched ?? 0) + result.deferred.length;
    return { ...result, ruleErrors, ruleErrorSamples, drafts, deferred: [], enriched, lifecycles, pending };
  }

  close(): Promise<void> {
    return this.providers.close();
  }
}
