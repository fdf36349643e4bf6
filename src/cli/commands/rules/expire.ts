/** `rules expire`: DELETE with `expiryDate`, which only moves a future expiry to another future date. */
import type { WhitelistingRule } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import { CliError } from '../../errors.js';
import type { ConnectionOptions } from '../../options.js';
import { fetchRule, isActive, isNotFound } from './lookup.js';

export interface ExpireOptions extends ConnectionOptions {
  /** Absent: the server's default, a minute from now. */
  at?: Date | null;
}

/**
 * Expires rule `id` at `opts.at` and returns the rule as it is afterwards. The server answers 404 both for a
 * missing rule and for dates in the past (as the original does); the rule is fetched to tell which.
 */
export async function expireRule(id: number, opts: ExpireOptions, ctx: Context): Promise<WhitelistingRule> {
  const client = await ctx.client(opts);
  try {
    await client.expireWhitelistingRule(id, opts.at ?? undefined);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const rule = await fetchRule(client, id);
    if (!isActive(rule, ctx.now())) {
      throw new CliError(`whitelisting rule ${id} expired already (${rule.expiry_date})`, {
        hint: 'an expired rule stays expired; `fullstop rules update` makes a new one from it',
      });
    }
    throw new CliError(`the server refused to expire rule ${id}: ${(error as Error).message}`, {
      hint: 'the expiry must lie in the future, by the server clock',
    });
  }
  return fetchRule(client, id);
}
