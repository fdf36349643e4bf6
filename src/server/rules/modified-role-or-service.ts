import fastJsonPatch from 'fast-json-patch';
import type { DetectionRule } from './rule.js';
import type { ResolvedRulesConfig } from './config.js';
import { draftFor } from './draft.js';
import { asObject, nonBlank, type CloudTrailEvent } from './event.js';

const TYPE = 'MODIFIED_ROLE_OR_SERVICE';
const IAM_SOURCE = 'iam.amazonaws.com';

/**
 * The role an event changed when it must be checked against its template: a role event by someone other than
 * an admin role (`sessionContext.sessionIssuer.userName`). Whether a template exists is for the look-up to say.
 */
export function roleToCheck(event: CloudTrailEvent, config: ResolvedRulesConfig): string | undefined {
  const issuer = asObject(asObject(event.userIdentity?.['sessionContext'])?.['sessionIssuer']);
  const caller = nonBlank(issuer?.['userName']);
  if (caller !== undefined && config.adminRoles.has(caller)) return undefined;
  return nonBlank(asObject(event.requestParameters)?.['roleName']);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const sameNames = (names: readonly string[], expected: readonly string[]) =>
  new Set(names).size === new Set(expected).size && expected.every((name) => names.includes(name));

export const modifiedRoleOrService: DetectionRule = {
  type: TYPE,
  triggers: {
    [IAM_SOURCE]: ['CreateRole', 'DeleteRole', 'AttachRolePolicy', 'UpdateAssumeRolePolicy', 'PutRolePolicy'],
  },
  needs: ['role'],
  evaluate(event, config, facts) {
    const role = facts.role;
    if (!role || roleToCheck(event, config) !== role.roleName) return [];
    const policy = parseJson(role.mainPolicy);
    const template = parseJson(role.template);
    // As the original: a policy or template that is no JSON is logged there, not reported.
    if (typeof policy !== 'object' || policy === null || typeof template !== 'object' || template === null) return [];
    const expectedInline = [role.roleName];
    const templateToPolicy = fastJsonPatch.compare(template, policy);
    const policyToTemplate = fastJsonPatch.compare(policy, template);
    const errors: string[] = [];
    if (role.attachedPolicyNames.length > 0) errors.push('You MUST not attach additional policies to this role!');
    if (!sameNames(role.inlinePolicyNames, expectedInline))
      errors.push('You MUST not change the inline policies of this role');
    if (templateToPolicy.length > 0)
      errors.push('You MUST not change the main policy document! See diffs for details.');
    if (errors.length === 0) return [];
    return [
      draftFor(event, TYPE, {
        metaInfo: {
          role_name: role.roleName,
          error_messages: errors,
          attached_policy_names: role.attachedPolicyNames,
          inline_policy_names: role.inlinePolicyNames,
          expected_inline_policy_names: expectedInline,
          template_to_policy_diff: templateToPolicy,
          policy_to_template_diff: policyToTemplate,
        },
      }),
    ];
  },
};
