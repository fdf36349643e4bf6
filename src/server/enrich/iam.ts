/**
 * The policies of a role in its own account, as the original's PolicyProviderImpl read them: attached policy
 * names, inline policy names, and the inline policy named after the role (URL-decoded), `{}` when there is none.
 * A role that no longer exists (NoSuchEntity) is a definite answer.
 */
import {
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import type { AwsSessions } from './aws-sessions.js';
import { awsRetryable, errorCode } from './aws-errors.js';
import { cachedLookup, type LookupContext } from './cached-lookup.js';
import type { RoleFacts } from './facts.js';

export type RolePolicies = Omit<RoleFacts, 'template' | 'roleName'>;

export interface RoleRef {
  account: string;
  region: string;
  roleName: string;
}

export interface IamLookups {
  rolePolicies(ref: RoleRef): Promise<RolePolicies | null>;
}

class RoleGone extends Error {}

/** IAM hands policy documents URL-encoded; a document that is not stays as it is. */
function urlDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function all<T>(pages: (marker: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>) {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await pages(marker);
    items.push(...page.items);
    marker = page.next;
  } while (marker !== undefined);
  return items;
}

async function readRole(iam: IAMClient, roleName: string, abortSignal: AbortSignal): Promise<RolePolicies> {
  const send = async <T>(call: Promise<T>) => {
    try {
      return await call;
    } catch (error) {
      throw errorCode(error) === 'NoSuchEntity' ? new RoleGone() : error;
    }
  };
  const [attached, inline] = await Promise.all([
    all(async (Marker) => {
      const page = await send(
        iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker }), { abortSignal }),
      );
      return {
        items: (page.AttachedPolicies ?? []).map((p) => p.PolicyName ?? ''),
        next: page.IsTruncated ? page.Marker : undefined,
      };
    }),
    all(async (Marker) => {
      const page = await send(iam.send(new ListRolePoliciesCommand({ RoleName: roleName, Marker }), { abortSignal }));
      return { items: page.PolicyNames ?? [], next: page.IsTruncated ? page.Marker : undefined };
    }),
  ]);
  let mainPolicy = '{}';
  if (inline.includes(roleName)) {
    try {
      const policy = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: roleName }), {
        abortSignal,
      });
      if (policy.PolicyDocument) mainPolicy = urlDecoded(policy.PolicyDocument);
    } catch (error) {
      // Deleted between the listing and the read: there is no main policy now.
      if (errorCode(error) !== 'NoSuchEntity') throw error;
    }
  }
  return { attachedPolicyNames: attached, inlinePolicyNames: inline, mainPolicy };
}

export function iamLookups(context: LookupContext, sessions: AwsSessions): IamLookups {
  const policies = cachedLookup<RoleRef, RolePolicies>(context, {
    lookup: 'ListAttachedRolePolicies/ListRolePolicies/GetRolePolicy',
    system: (ref) => `aws:${ref.account}`,
    key: (ref) => `${ref.account}/${ref.roleName}`,
    // The original read the role on every event; a minute spares repeated reads of one burst of role events.
    ttlMs: 60_000,
    async fetch({ account, region, roleName }, signal) {
      try {
        return await readRole(sessions.iam(account, region), roleName, signal);
      } catch (error) {
        if (error instanceof RoleGone) return null;
        throw error;
      }
    },
    retryable: awsRetryable,
  });
  return { rolePolicies: (ref) => policies.get(ref) };
}
