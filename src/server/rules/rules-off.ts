import type { EnrichmentConfig } from '../enrich/config-schema.js';
import type { RulesConfig } from './config-schema.js';
import { resolveRulesConfig } from './config.js';
import { detectionRules, offReasons } from './index.js';
import { REQUIREMENT_REASONS, type Requirement } from './requirements.js';
import type { DetectionRule } from './rule.js';

export interface RuleOff {
  /** The violation type, e.g. `WRONG_AMI`. */
  type: string;
  /** Why, e.g. `enrichment.aws is not configured: no AWS look-ups`; a rule can be off for several reasons. */
  reasons: string[];
}

/**
 * The rules that will not run with this configuration, and why: turned off, or needing a system or setting that
 * is not configured. The server and ingest print this at start, so a quiet rule is never a surprise.
 */
export function rulesOff(
  rules?: RulesConfig,
  enrichment?: EnrichmentConfig,
  ruleList: readonly DetectionRule[] = detectionRules,
): RuleOff[] {
  const config = resolveRulesConfig(rules, enrichment);
  return ruleList.flatMap((rule) => {
    const reasons = offReasons(rule, config).map((reason) =>
      reason in REQUIREMENT_REASONS ? REQUIREMENT_REASONS[reason as Requirement] : reason,
    );
    return reasons.length === 0 ? [] : [{ type: rule.type, reasons }];
  });
}

/** One line per rule that is off, for the start-up log. */
export const describeRulesOff = (off: readonly RuleOff[]): string[] =>
  off.map(({ type, reasons }) => `${type} is off: ${reasons.join('; ')}`);
