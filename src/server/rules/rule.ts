import type { ViolationDraft } from '../model.js';
import type { CloudTrailEvent } from './event.js';
import type { ResolvedRulesConfig } from './config.js';

/**
 * One detection: a pure function of a CloudTrail event and the configuration. `triggers` names the events
 * (by `eventSource` and version-less `eventName`) the rule reads, so the dispatcher never runs a rule on an
 * event it cannot match.
 */
export interface DetectionRule {
  /** The violation type it emits, also its key in the `rules` config section (lower-cased). */
  type: string;
  triggers: Record<string, readonly string[]>;
  evaluate(event: CloudTrailEvent, config: ResolvedRulesConfig): ViolationDraft[];
}
