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

/** The rules that run on an event, picked by event source and name, not by trying each. */
export type RuleIndex = (event: CloudTrailEvent) => readonly DetectionRule[];

export function indexRules(
  config: ResolvedRulesConfig,
  ruleList: readonly DetectionRule[] = detectionRules,
): RuleIndex {
  const bySource = new Map<string, Map<string, DetectionRule[]>>();
  for (const rule of ruleList) {
    if (offReasons(rule, config).length > 0) continue;
    for (const [source, names] of Object.entries(rule.triggers)) {
      const byName = bySource.get(source) ?? new Map<string, DetectionRule[]>();
      bySource.set(source, byName);
      for (const name of names) byName.set(name, [...(byName.get(name) ?? []), rule]);
    }
  }
  return (event) => {
    const byName = bySource.get(event.eventSource);
    if (byName === undefined) return [];
    const matched = byName.get(event.eventName) ?? byName.get(baseEventName(event.eventName));
    // A call that failed changed nothing.
    if (matched === undefined || nonBlank(event.errorCode) !== undefined) return [];
    return matched;
  };
}

/**
 * Evaluates the enabled rules on one event. `facts` are what `enrich()` looked up; without them, rules that
 * need facts find none and report nothing.
 */
export type Evaluator = (event: CloudTrailEvent, facts?: EventFacts) => ViolationDraft[];

export function createEvaluator(
  config: ResolvedRulesConfig,
  ruleList: readonly DetectionRule[] = detectionRules,
): Evaluator {
  const rulesFor = indexRules(config, ruleList);
  return (event, facts = NO_FACTS) => {
    const matched = rulesFor(event);
    if (matched.length === 0) return [];
    const drafts =
      matched.length === 1
        ? matched[0]!.evaluate(event, config, facts)
        : matched.flatMap((rule) => rule.evaluate(event, config, facts));
    return facts === NO_FACTS ? drafts : withInstanceFacts(drafts, facts);
  };
}
