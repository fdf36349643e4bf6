import type { ViolationDraft } from '../model.js';
import type { EventFacts, Fact } from '../enrich/facts.js';
import type { CloudTrailEvent } from './event.js';
import type { ResolvedRulesConfig } from './config.js';
import type { Requirement } from './requirements.js';

/**
 * One detection: a pure function of a CloudTrail event, the configuration and what the enrichment stage looked
 * up about the event (`facts`; empty for rules that need none). `triggers` names the events (by `eventSource`
 * and version-less `eventName`) the rule reads, so the dispatcher never runs a rule on an event it cannot match.
 */
export interface DetectionRule {
  /** The violation type it emits, also its key in the `rules` config section (lower-cased). */
  type: string;
  /** A `rules` section that turns a family of rules off together (e.g. `SCM_REPOSITORY`). */
  group?: string;
  triggers: Record<string, readonly string[]>;
  /** Facts it cannot decide without: the enrichment stage looks them up; without their systems it is off. */
  needs?: readonly Fact[];
  /** Settings it cannot decide without, besides those of its facts. */
  requires?: readonly Requirement[];
  evaluate(event: CloudTrailEvent, config: ResolvedRulesConfig, facts: EventFacts): ViolationDraft[];
}
