/**
 * `rules add|update --dry-run`: which of the currently open violations the rule would match. The server has no
 * endpoint for it, so the client evaluates the rule (match.ts) on the open violations it fetches. The rule's
 * account, type, application and version go into the query, so only candidates travel; everything else is
 * decided here. Whitelisting applies to violations that arrive after the rule exists, never to existing ones:
 * the count says how much of today's traffic the rule would have caught, not what it will change.
 */
import { MAX_PAGE_SIZE, streamViolations } from '../../../client/paging.js';
import type { FullstopClient, ViolationQuery } from '../../../client/client.js';
import type { Violation } from '../../../shared/violation.js';
import { activeValue, CRITERIA, ruleMatcher, type RuleCriteria } from './match.js';

export interface DryRunResult {
  /** The open violations the rule matches, by id ascending. */
  matching: Violation[];
  /** How many open violations the server has in all. */
  open: number;
  /** How many of them were fetched and evaluated. */
  checked: number;
}

function candidateQuery(rule: RuleCriteria): ViolationQuery {
  const one = (field: keyof RuleCriteria) => {
    const value = activeValue(rule, field);
    return value === undefined ? undefined : [value];
  };
  return {
    accounts: one('account_id'),
    type: activeValue(rule, 'violation_type'),
    'application-ids': one('application_id'),
    'application-version-ids': one('application_version'),
    // Only newer servers filter by region; the matcher checks it either way.
    regions: one('region'),
  };
}

/** Evaluates `rule` on every open violation that could match it. */
export async function dryRun(client: FullstopClient, rule: RuleCriteria): Promise<DryRunResult> {
  const { total_elements: open } = await client.listViolations({ size: 1 });
  if (CRITERIA.every((field) => activeValue(rule, field) === undefined)) return { matching: [], open, checked: 0 };
  const matches = ruleMatcher(rule);
  const matching: Violation[] = [];
  let checked = 0;
  for await (const violation of streamViolations(client, candidateQuery(rule), MAX_PAGE_SIZE)) {
    checked++;
    if (matches(violation)) matching.push(violation);
  }
  return { matching: matching.reverse(), open, checked };
}
