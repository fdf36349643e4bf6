import type { FullstopClient } from '../../../client/client.js';
import { ApiError } from '../../../client/errors.js';
import type { WhitelistingRule } from '../../../shared/violation.js';
import { CliError } from '../../errors.js';

/** The error for a rule the server does not have (exit 1). */
export function ruleNotFound(id: number): CliError {
  return new CliError(`whitelisting rule ${id} not found`, { hint: 'list the rules with `fullstop rules list --all`' });
}

export const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;

/** Fetches rule `id`; a missing one is a CliError that names it. */
export async function fetchRule(client: FullstopClient, id: number): Promise<WhitelistingRule> {
  try {
    return await client.getWhitelistingRule(id);
  } catch (error) {
    if (isNotFound(error)) throw ruleNotFound(id);
    throw error;
  }
}

/** True while the rule applies: its expiry lies after `now`. */
export function isActive(rule: WhitelistingRule, now: Date): boolean {
  return Date.parse(rule.expiry_date) > now.getTime();
}
