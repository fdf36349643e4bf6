/**
 * Turns `rules add|update` flags into the request body. The body's type key is `violation_type`; the answer's
 * is `violation_type_entity_id`, and a body that sends the latter (as the original's README examples do) has it
 * silently dropped, leaving a rule for every type.
 */
import type { FullstopClient } from '../../../client/client.js';
import { compileJsonPath } from '../../../shared/jayway-path.js';
import { compileFullMatch } from '../../../shared/linear-regex.js';
import type { WhitelistingRule, WhitelistingRuleInput } from '../../../shared/violation.js';
import { UsageError } from '../../errors.js';
import type { RuleFlags } from './flags.js';
import { activeValue, CRITERIA } from './match.js';

type Field = [flag: keyof RuleFlags, input: keyof WhitelistingRuleInput, answer: keyof WhitelistingRule];

const FIELDS: Field[] = [
  ['account', 'account_id', 'account_id'],
  ['region', 'region', 'region'],
  ['type', 'violation_type', 'violation_type_entity_id'],
  ['application', 'application_id', 'application_id'],
  ['applicationVersion', 'application_version', 'application_version'],
  ['imageName', 'image_name', 'image_name'],
  ['imageOwner', 'image_owner', 'image_owner'],
  ['metaPath', 'meta_info_json_path', 'meta_info_json_path'],
];

/**
 * The body for the flags; with `base` (update), every field not given keeps the old rule's value, and the
 * expiry too when it still lies ahead (an expired rule's replacement does not expire unless --expires says so).
 */
export function toRuleInput(flags: RuleFlags, now: Date, base?: WhitelistingRule): WhitelistingRuleInput {
  const body: Record<string, string | null> = {};
  for (const [flag, input, answer] of FIELDS) {
    const given = flags[flag] as string | undefined;
    const value = given !== undefined ? given : ((base?.[answer] as string | null | undefined) ?? null);
    body[input] = value === null || value.trim() === '' ? null : value;
  }
  const reason = flags.reason ?? base?.reason;
  if (reason === undefined || reason.trim() === '') throw new UsageError('--reason is required');
  const baseExpiry = base && Date.parse(base.expiry_date) > now.getTime() ? base.expiry_date : null;
  const expiry = flags.expires === undefined ? baseExpiry : flags.expires === null ? null : flags.expires.toISOString();
  return { ...body, reason, expiry_date: expiry } as WhitelistingRuleInput;
}

/**
 * Refuses (exit 2) an --image-name the server's engine (linear time, RE2 syntax) would refuse. A pattern that
 * compiles on its own also compiles as the full match `^(?:…)$` whitelisting makes of it.
 */
export function checkImageName(imageName: string | undefined): void {
  if (imageName === undefined || imageName === '') return;
  const compiled = compileFullMatch(imageName);
  if ('error' in compiled) throw new UsageError(`--image-name: not a valid regular expression: ${compiled.error}`);
}

/** Refuses (exit 2) a JsonPath the server would refuse or never match. */
export function checkMetaPath(rule: WhitelistingRuleInput): void {
  const path = activeValue(rule, 'meta_info_json_path');
  if (path === undefined) return;
  const compiled = compileJsonPath(path);
  if ('error' in compiled) throw new UsageError(`--meta-path: not a valid JsonPath (${compiled.error}): ${path}`);
}

/** Refuses (exit 2) a violation type the server does not know, naming the closest ones. */
export async function checkType(client: FullstopClient, rule: WhitelistingRuleInput): Promise<void> {
  const type = activeValue(rule, 'violation_type');
  if (type === undefined) return;
  const known = (await client.listViolationTypes()).map((t) => t.id);
  if (known.includes(type)) return;
  const upper = type.toUpperCase();
  const close = known.filter((id) => id === upper || id.includes(upper) || upper.includes(id)).slice(0, 3);
  throw new UsageError(`--type: the server knows no violation type ${type}`, {
    hint: close.length > 0 ? `did you mean ${close.join(', ')}?` : 'list the types with `fullstop types`',
  });
}

/** Warnings about what the rule will do, for stderr. */
export function ruleWarnings(rule: WhitelistingRuleInput): string[] {
  const active = CRITERIA.filter((field) => activeValue(rule, field) !== undefined);
  if (active.length === 0) {
    return [
      'the rule has no criteria: the server skips a rule without criteria (as the original did), so it would ' +
        'whitelist no violation at all; give --type, --account, --image-name, … to say which violations it covers',
    ];
  }
  if (!active.includes('violation_type')) {
    return ['without --type the rule whitelists violations of every type that meet its other criteria'];
  }
  return [];
}
