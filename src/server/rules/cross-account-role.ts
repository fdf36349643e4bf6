import type { DetectionRule } from './rule.js';
import { accountIdOf, asObject, nonBlank } from './event.js';
import { draftFor } from './draft.js';

const TYPE = 'CROSS_ACCOUNT_ROLE';
const PRINCIPAL_ACCOUNT = /^(?:(\d{12})|arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):.+)$/;

function parsePolicy(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // IAM hands policies URL-encoded in some places; CloudTrail usually logs them raw.
    try {
      return JSON.parse(decodeURIComponent(text));
    } catch {
      return undefined;
    }
  }
}

function toList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Principals of `Allow` statements that belong to another account; `*` (anyone) counts as foreign too. */
export function foreignPrincipals(policy: unknown, ownAccount: string, trusted: ReadonlySet<string>): string[] {
  const grantees: string[] = [];
  for (const statement of toList(asObject(policy)?.['Statement'])) {
    const body = asObject(statement);
    if (body?.['Effect'] !== 'Allow') continue;
    const principal = body['Principal'];
    const aws = principal === '*' ? ['*'] : toList(asObject(principal)?.['AWS']);
    for (const entry of aws) {
      if (typeof entry !== 'string') continue;
      if (entry === '*') {
        grantees.push(entry);
        continue;
      }
      const match = PRINCIPAL_ACCOUNT.exec(entry);
      const account = match?.[1] ?? match?.[2];
      if (account !== undefined && account !== ownAccount && !trusted.has(account)) grantees.push(entry);
    }
  }
  return grantees;
}

export const crossAccountRole: DetectionRule = {
  type: TYPE,
  triggers: { 'iam.amazonaws.com': ['CreateRole', 'UpdateAssumeRolePolicy'] },
  evaluate(event, config) {
    const request = asObject(event.requestParameters);
    const document = nonBlank(request?.['assumeRolePolicyDocument']) ?? nonBlank(request?.['policyDocument']);
    if (document === undefined) return [];
    const account = accountIdOf(event) ?? '';
    const grantees = foreignPrincipals(parsePolicy(document), account, config.trustedAccounts);
    if (grantees.length === 0) return [];
    const roleName = nonBlank(request?.['roleName']) ?? '';
    const role = asObject(asObject(event.responseElements)?.['role']);
    return [
      draftFor(event, TYPE, {
        instanceId: nonBlank(role?.['roleId']) ?? (roleName || null),
        metaInfo: {
          role_arn: nonBlank(role?.['arn']) ?? `arn:aws:iam::${account}:role/${roleName}`,
          role_name: roleName,
          grantees,
        },
      }),
    ];
  },
};
