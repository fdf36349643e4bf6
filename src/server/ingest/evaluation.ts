/**
 * How the reading side of ingest evaluates records: the rules, resolved against the enrichment config (a rule
 * whose systems are configured is on), and which records wait for the enrichment stage because they need look-ups.
 * Built the same way in this thread and in every worker thread, from the config alone.
 */
import type { EnrichmentConfig } from '../enrich/config-schema.js';
import { needsEnrichment } from '../enrich/plan.js';
import type { RulesConfig } from '../rules/config-schema.js';
import { resolveRulesConfig } from '../rules/config.js';
import { createEvaluator, type Evaluator } from '../rules/index.js';
import type { DeferPredicate } from './cloudtrail.js';

export interface RecordEvaluation {
  evaluate: Evaluator;
  /** Undefined when nothing is ever looked up (no AWS look-ups configured): every record is evaluated at once. */
  defer?: DeferPredicate;
}

/** The `rules` and `enrichment` config sections, as a worker thread receives them. */
export interface EvaluationConfig {
  rules?: RulesConfig | undefined;
  enrichment?: EnrichmentConfig | undefined;
}

export function recordEvaluation({ rules, enrichment }: EvaluationConfig): RecordEvaluation {
  const config = resolveRulesConfig(rules, enrichment);
  const evaluate = createEvaluator(config);
  // Every fact needs AWS (the instance first): without it no record ever waits.
  if (!config.met.has('aws')) return { evaluate };
  const plan = { config, applicationTags: enrichment?.aws?.application_tags };
  return { evaluate, defer: (event) => needsEnrichment(event, plan) };
}
