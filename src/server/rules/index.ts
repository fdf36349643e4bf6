import type { ViolationDraft } from '../model.js';
import { NO_FACTS, type EventFacts } from '../enrich/facts.js';
import type { DetectionRule } from './rule.js';
import type { ResolvedRulesConfig } from './config.js';
import { baseEventName, nonBlank, type CloudTrailEvent } from './event.js';
import { requirementsOf } from './requirements.js';
import { withInstanceFacts } from './instance-facts.js';
import { wrongRegion } from './wrong-region.js';
import { ec2WithKeypair } from './ec2-with-keypair.js';
import { lambdaUntrustedLocation } from './lambda-untrusted-location.js';
import { unsecuredRootUser } from './unsecured-root-user.js';
import { passwordUsed } from './password-used.js';
import { crossAccountRole } from './cross-account-role.js';
import { unsecuredPublicEndpoint } from './unsecured-public-endpoint.js';
import { cloudtrailTampering } from './cloudtrail-tampering.js';
import { wrongAmi } from './wrong-ami.js';
import { missingUserData } from './missing-user-data.js';
import { missingApplicationIdInUserData } from './missing-application-id-in-user-data.js';
import { missingSourceInUserData } from './missing-source-in-user-data.js';
import { ec2WithASnapshotImage } from './ec2-with-a-snapshot-image.js';
import { applicationNotPresentInKio } from './application-not-present-in-kio.js';
import { imageInPieroneNotFound } from './image-in-pierone-not-found.js';
import { scmSourceJsonMissing } from './scm-source-json-missing.js';
import { scmUrlIsMissingInScmSourceJson } from './scm-url-is-missing-in-scm-source-json.js';
import { artifactBuiltFromDirtyRepository } from './artifact-built-from-dirty-repository.js';
import { illegalScmRepository } from './illegal-scm-repository.js';
import { scmUrlIsMissingInKio } from './scm-url-is-missing-in-kio.js';
import { scmUrlNotMatchWithKio } from './scm-url-not-match-with-kio.js';
import { modifiedRoleOrService } from './modified-role-or-service.js';

export const detectionRules: readonly DetectionRule[] = [
  wrongRegion,
  ec2WithKeypair,
  lambdaUntrustedLocation,
  unsecuredRootUser,
  passwordUsed,
  crossAccountRole,
  unsecuredPublicEndpoint,
  cloudtrailTampering,
  wrongAmi,
  missingUserData,
  missingApplicationIdInUserData,
  missingSourceInUserData,
  ec2WithASnapshotImage,
  applicationNotPresentInKio,
  imageInPieroneNotFound,
  scmSourceJsonMissing,
  scmUrlIsMissingInScmSourceJson,
  artifactBuiltFromDirtyRepository,
  illegalScmRepository,
  scmUrlIsMissingInKio,
  scmUrlNotMatchWithKio,
  modifiedRoleOrService,
];

/** Why a rule does not run: turned off in the config, or a system or setting it needs is missing. */
export function offReasons(rule: DetectionRule, config: ResolvedRulesConfig): string[] {
  const reasons: string[] = [];
  if (config.disabled.has(rule.type)) reasons.push(`rules.${rule.type.toLowerCase()}.enabled is false`);
  if (rule.group !== undefined && config.disabled.has(rule.group))
    reasons.push(`rules.${rule.group.toLowerCase()}.enabled is false`);
  for (const requirement of requirementsOf(rule)) if (!config.met.has(requirement)) reasons.push(requirement);
  return reasons;
}

/** A rule threw on an event: a bug in the rule (or an event shape it did not expect), never the event's fault. */
export interface RuleError {
  /** The rule's violation type. */
  rule: string;
  eventId: string;
  message: string;
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

/** The rules that run on an event, picked by event source and name, not by trying each. */
export type RuleIndex = (event: CloudTrailEvent) => readonly DetectionRule[];

export function indexRules(
  config: ResolvedRulesConfig,
  ruleList: readonly DetectionRule[] = detectionRules,
): RuleIndex {
  const bySource = new Map<string, Map<string, readonly DetectionRule[]>>();
  for (const rule of ruleList) {
    if (offReasons(rule, config).length > 0) continue;
    for (const [source, names] of Object.entries(rule.triggers)) {
      const byName = bySource.get(source) ?? new Map<string, readonly DetectionRule[]>();
      bySource.set(source, byName);
      for (const name of names) byName.set(name, [...(byName.get(name) ?? []), rule]);
    }
  }
  return (event) => {
    const byName = bySource.get(event.eventSource);
    if (byName === undefined) return NO_RULES;
    const matched = byName.get(event.eventName) ?? remember(byName, event.eventName);
    // A call that failed changed nothing.
    if (matched.length === 0 || nonBlank(event.errorCode) !== undefined) return NO_RULES;
    return matched;
  };
}

/**
 * Evaluates the enabled rules on one event. `facts` are what `enrich()` looked up; without them, rules that
 * need facts find none and report nothing. A rule that throws is reported to `onError`, and the event's other
 * rules still run; without `onError` it throws.
 */
export type Evaluator = (
  event: CloudTrailEvent,
  facts?: EventFacts,
  onError?: (error: RuleError) => void,
) => readonly ViolationDraft[];

/** What most events yield: one shared empty list instead of a new one per event. */
const NO_DRAFTS: readonly ViolationDraft[] = Object.freeze([]);

function evaluateRule(
  rule: DetectionRule,
  event: CloudTrailEvent,
  config: ResolvedRulesConfig,
  facts: EventFacts,
  onError: ((error: RuleError) => void) | undefined,
): ViolationDraft[] {
  if (onError === undefined) return rule.evaluate(event, config, facts);
  try {
    return rule.evaluate(event, config, facts);
  } catch (error) {
    onError({
      rule: rule.type,
      eventId: event.eventID,
      message: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}

export function createEvaluator(
  config: ResolvedRulesConfig,
  ruleList: readonly DetectionRule[] = detectionRules,
): Evaluator {
  const rulesFor = indexRules(config, ruleList);
  return (event, facts = NO_FACTS, onError) => {
    const matched = rulesFor(event);
    if (matched.length === 0) return NO_DRAFTS;
    const drafts =
      matched.length === 1
        ? evaluateRule(matched[0]!, event, config, facts, onError)
        : matched.flatMap((rule) => evaluateRule(rule, event, config, facts, onError));
    return facts === NO_FACTS ? drafts : withInstanceFacts(drafts, facts);
  };
}
