/** `rules add` and `rules update`: build the body, check it, then create, replace or only evaluate the rule. */
import type { FullstopClient } from '../../../client/client.js';
import type { WhitelistingRule, WhitelistingRuleInput } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { ConnectionOptions } from '../../options.js';
import { dryRun, type DryRunResult } from './dry-run.js';
import type { RuleFlags } from './flags.js';
import { checkImageName, checkMetaPath, checkType, ruleWarnings, toRuleInput } from './input.js';
import { fetchRule, isActive, isNotFound, ruleNotFound } from './lookup.js';

export interface WriteOptions extends RuleFlags, ConnectionOptions {
  dryRun?: boolean;
}

/** The flags of a rule field, for "did you give any". */
const RULE_FLAG_KEYS: Array<keyof RuleFlags> = [
  'account',
  'region',
  'type',
  'application',
  'applicationVersion',
  'imageName',
  'imageOwner',
  'metaPath',
  'reason',
  'expires',
];

export type WriteResult =
  | { kind: 'created'; rule: WhitelistingRule }
  | { kind: 'replaced'; replaced: number; rule: WhitelistingRule }
  | { kind: 'dry-run'; input: WhitelistingRuleInput; replaces?: number; result: DryRunResult };

/** Checks the type (exit 2 when the server does not know it) and prints the warnings. */
async function prepare(client: FullstopClient, input: WhitelistingRuleInput, ctx: Context): Promise<void> {
  await checkType(client, input);
  for (const warning of ruleWarnings(input)) ctx.io.err(`warning: ${warning}`);
}

/** Creates a rule from the flags, or with `dryRun` only evaluates it on the open violations. */
export async function addRule(opts: WriteOptions, ctx: Context): Promise<WriteResult> {
  checkImageName(opts.imageName);
  const input = toRuleInput(opts, ctx.now());
  checkMetaPath(input);
  const client = await ctx.client(opts);
  await prepare(client, input, ctx);
  if (opts.dryRun) return { kind: 'dry-run', input, result: await dryRun(client, input) };
  return { kind: 'created', rule: await client.createWhitelistingRule(input) };
}

/**
 * Replaces rule `id` (PUT: the server expires it and creates a new rule) with the old rule's fields changed
 * by the flags given; with `dryRun` only evaluates the replacement.
 */
export async function updateRule(id: number, opts: WriteOptions, ctx: Context): Promise<WriteResult> {
  if (RULE_FLAG_KEYS.every((key) => opts[key] === undefined)) {
    throw new UsageError('nothing to change: give the fields to change, e.g. --reason or --expires', {
      hint: "a flag given as '' clears that field",
    });
  }
  checkImageName(opts.imageName);
  const client = await ctx.client(opts);
  const old = await fetchRule(client, id);
  const input = toRuleInput(opts, ctx.now(), old);
  checkMetaPath(input);
  if (!isActive(old, ctx.now())) {
    ctx.io.err(`warning: rule ${id} expired already (${old.expiry_date}); its replacement will be in force again`);
  }
  await prepare(client, input, ctx);
  if (opts.dryRun) return { kind: 'dry-run', input, replaces: id, result: await dryRun(client, input) };
  try {
    return { kind: 'replaced', replaced: id, rule: await client.replaceWhitelistingRule(id, input) };
  } catch (error) {
    if (isNotFound(error)) throw ruleNotFound(id);
    throw error;
  }
}
