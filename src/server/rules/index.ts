import type { ViolationDraft } from '../model.js';
import type { DetectionRule } from './rule.js';
import type { ResolvedRulesConfig } from './config.js';
import { baseEventName, nonBlank, type CloudTrailEvent } from './event.js';
import { wrongRegion } from './wrong-region.js';
import { ec2WithKeypair } from './ec2-with-keypair.js';
import { lambdaUntrustedLocation } from './lambda-untrusted-location.js';
import { unsecuredRootUser } from './unsecured-root-user.js';
import { passwordUsed } from './password-used.js';
import { crossAccountRole } from './cross-account-role.js';
import { unsecuredPublicEndpoint } from './unsecured-public-endpoint.js';
import { cloudtrailTampering } from './cloudtrail-tampering.js';

export const detectionRules: readonly DetectionRule[] = [
  wrongRegion,
  ec2WithKeypair,
  lambdaUntrustedLocation,
  unsecuredRootUser,
  passwordUsed,
  crossAccountRole,
  unsecuredPublicEndpoint,
  cloudtrailTampering,
];

/** A rule threw on an event: a bug in the rule (or an event shape it did not expect), never the event's fault. */
export interface RuleError {
  /** The rule's violation type. */
  rule: string;
  eventId: string;
  message: string;
}

/**
 * Evaluates the enabled rules on one event; picks them by event source and name, not by trying each. A rule
 * that throws is reported to `onError`, and the event's other rules still run; without `onError` it throws.
 */
export type Evaluator = (event: CloudTrailEvent, onError?: (error: RuleError) => void) => readonly ViolationDraft[];

/** What most events yield: one shared empty list instead of a new one per event. */
const NO_DRAFTS: readonly ViolationDraft[] = Object.freeze([]);

function evaluateRule(
  rule: DetectionRule,
  event: CloudTrailEvent,
  config: ResolvedRulesConfig,
  onError: ((error: RuleError) => void) | undefined,
): ViolationDraft[] {
  if (onError === undefined) return rule.evaluate(event, config);
  try {
    return rule.evaluate(event, config);
  } catch (error) {
    onError({
      rule: rule.type,
      eventId: event.eventID,
      message: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}

const NO_RULES: readonly DetectionRule[] = [];
/** Event names seen per source, beyond the rules' own: a service has a few hundred, so this stays small. */
const MAX_REMEMBERED_NAMES = 5_000;

/**
 * The rules of an event name not listed as such (a versioned name, or one no rule reads), remembered so that the
 * next event of that name (most events of a source read nothing) costs one lookup, not a version-suffix search.
 */
function remember(byName: Map<string, readonly DetectionRule[]>, eventName: string): readonly DetectionRule[] {
  const rules = byName.get(baseEventName(eventName)) ?? NO_RULES;
  if (byName.size < MAX_REMEMBERED_NAMES) byName.set(eventName, rules);
  return rules;
}

export function createEvaluator(
  config: ResolvedRulesConfig,
  ruleList: readonly DetectionRule[] = detectionRules,
): Evaluator {
  const bySource = new Map<string, Map<string, readonly DetectionRule[]>>();
  for (const rule of ruleList) {
    if (config.disabled.has(rule.type)) continue;
    for (const [source, names] of Object.entries(rule.triggers)) {
      const byName = bySource.get(source) ?? new Map<string, readonly DetectionRule[]>();
      bySource.set(source, byName);
      for (const name of names) byName.set(name, [...(byName.get(name) ?? []), rule]);
    }
  }
  return (event, onError) => {
    const byName = bySource.get(event.eventSource);
    if (byName === undefined) return NO_DRAFTS;
    const matched = byName.get(event.eventName) ?? remember(byName, event.eventName);
    // A call that failed changed nothing.
    if (matched.length === 0 || nonBlank(event.errorCode) !== undefined) return NO_DRAFTS;
    return matched.length === 1
      ? evaluateRule(matched[0]!, event, config, onError)
      : matched.flatMap((rule) => evaluateRule(rule, event, config, onError));
  };
}
