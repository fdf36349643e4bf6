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

/** Evaluates the enabled rules on one event; picks them by event source and name, not by trying each. */
export type Evaluator = (event: CloudTrailEvent) => ViolationDraft[];

export function createEvaluator(
  config: ResolvedRulesConfig,
  ruleList: readonly DetectionRule[] = detectionRules,
): Evaluator {
  const bySource = new Map<string, Map<string, DetectionRule[]>>();
  for (const rule of ruleList) {
    if (config.disabled.has(rule.type)) continue;
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
    return matched.length === 1
      ? matched[0]!.evaluate(event, config)
      : matched.flatMap((rule) => rule.evaluate(event, config));
  };
}
