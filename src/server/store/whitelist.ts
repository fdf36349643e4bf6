/**
 * Whitelisting: the first unexpired rule that matches a new violation auto-resolves it, as the original's
 * WhitelistRulesEvaluator does. Pure functions over a draft and the rules, shared by every store adapter.
 */
import type { ViolationDraft } from '../model.js';
import { isPlainObject } from '../../shared/guards.js';
import { compileJsonPath } from '../../shared/jayway-path.js';
import { compileFullMatch, type FullMatcher } from '../../shared/linear-regex.js';

/** The rule fields whitelisting looks at. */
export interface WhitelistRule {
  id: number;
  accountId: string | null;
  region: string | null;
  violationType: string | null;
  imageName: string | null;
  imageOwner: string | null;
  applicationId: string | null;
  applicationVersion: string | null;
  metaInfoJsonPath: string | null;
  reason: string;
}

export const WHITELIST_COMMENT_PREFIX = 'Whitelisted automatically because of:';

type Predicate = (draft: ViolationDraft) => boolean;

const active = (value: string | null): value is string => value !== null && value.trim() !== '';

/**
 * Java's `String.matches` is a full match; linear-time (see linear-regex.ts), so that no rule can stall a commit.
 * An invalid pattern matches nothing.
 */
export function fullMatchRegex(pattern: string): FullMatcher | undefined {
  const compiled = compileFullMatch(pattern);
  return 'matches' in compiled ? compiled.matches : undefined;
}

/** A rule field as an error message quotes it: long ones are cut. */
const quoted = (value: string) => `'${value.length > 100 ? `${value.slice(0, 100)}…` : value}'`;

/**
 * Why a rule's `image_name` or `meta_info_json_path` can never match (it does not compile), for the API to refuse
 * the rule; undefined when both compile or are blank.
 */
export function invalidCriterion(rule: Pick<WhitelistRule, 'imageName' | 'metaInfoJsonPath'>): string | undefined {
  const { imageName, metaInfoJsonPath } = rule;
  if (active(imageName)) {
    const compiled = compileFullMatch(imageName);
    if ('error' in compiled)
      return `image_name: not a valid regular expression (${compiled.error}): ${quoted(imageName)}`;
  }
  if (active(metaInfoJsonPath)) {
    const compiled = compileJsonPath(metaInfoJsonPath);
    if ('error' in compiled)
      return `meta_info_json_path: not a valid JsonPath (${compiled.error}): ${quoted(metaInfoJsonPath)}`;
  }
  return undefined;
}

function predicates(rule: WhitelistRule): Predicate[] {
  const checks: Predicate[] = [];
  const {
    accountId,
    region,
    violationType,
    imageName,
    imageOwner,
    applicationId,
    applicationVersion,
    metaInfoJsonPath,
  } = rule;
  if (active(accountId)) checks.push((d) => d.accountId === accountId);
  if (active(region)) checks.push((d) => d.region === region);
  if (active(violationType)) checks.push((d) => d.type === violationType);
  if (active(imageName)) {
    const regex = fullMatchRegex(imageName);
    checks.push(
      (d) =>
        regex !== undefined &&
        isPlainObject(d.metaInfo) &&
        typeof d.metaInfo.ami_name === 'string' &&
        regex(d.metaInfo.ami_name),
    );
  }
  if (active(imageOwner)) checks.push((d) => isPlainObject(d.metaInfo) && d.metaInfo.ami_owner_id === imageOwner);
  if (active(applicationId)) checks.push((d) => (d.applicationId ?? null) === applicationId);
  if (active(applicationVersion)) checks.push((d) => (d.applicationVersion ?? null) === applicationVersion);
  if (active(metaInfoJsonPath)) {
    // A path stored before paths were checked, or one that does not compile, matches nothing.
    const compiled = compileJsonPath(metaInfoJsonPath);
    checks.push((d) => 'match' in compiled && compiled.match(d.metaInfo));
  }
  return checks;
}

/** Compiles rules once (regexes, paths) into a matcher returning the first matching rule, or undefined. */
export function compileWhitelist(rules: WhitelistRule[]): (draft: ViolationDraft) => WhitelistRule | undefined {
  const compiled = rules
    .map((rule) => ({ rule, checks: predicates(rule) }))
    // A rule with no active criterion matches nothing, as in the original's whitelisting check.
    .filter(({ checks }) => checks.length > 0);
  if (compiled.length === 0) return () => undefined;
  return (draft) => compiled.find(({ checks }) => checks.every((check) => check(draft)))?.rule;
}
