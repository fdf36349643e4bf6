/**
 * Whitelisting (fullstop-api.md §7): the first unexpired rule that matches a new violation auto-resolves it.
 * Pure functions over a draft and the rules, shared by every store adapter.
 */
import { JSONPath } from 'jsonpath-plus';
import type { ViolationDraft } from '../model.js';
import { isPlainObject } from '../../shared/guards.js';

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

/** Java's `String.matches` is a full match; an invalid pattern matches nothing. */
export function fullMatchRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch {
    return undefined;
  }
}

/**
 * Adapts a Jayway JsonPath (the original's library) to jsonpath-plus: `x =~ /re/flags` becomes a full-match
 * regex test, and `$.[?(…)]` a filter applied to the root object itself, as Jayway applies it to a map.
 */
export function toJsonPathPlus(path: string): { path: string; filtersRoot: boolean } {
  const filtersRoot = /^\$\.?\[\?/.test(path.trim());
  const converted = path
    .trim()
    .replace(/^\$\.\[/, '$[')
    .replace(
      /(@(?:\.[\w$-]+|\[(?:'[^']*'|"[^"]*"|\d+)\])*)\s*=~\s*\/((?:\\.|[^/\\])+)\/([a-z]*)/g,
      (_all, operand: string, body: string, flags: string) => `/^(?:${body})$/${flags}.test(${operand})`,
    );
  return { path: converted, filtersRoot };
}

/** True when the JsonPath yields a non-empty result on `metaInfo`; any error is no match (§7). */
export function jsonPathMatches(path: string, metaInfo: unknown): boolean {
  try {
    const { path: converted, filtersRoot } = toJsonPathPlus(path);
    const json = filtersRoot && isPlainObject(metaInfo) ? [metaInfo] : metaInfo;
    if (json === null || typeof json !== 'object') return false;
    const result: unknown = JSONPath({ path: converted, json, wrap: true, eval: 'safe' });
    return Array.isArray(result) && result.length > 0;
  } catch {
    return false;
  }
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
        regex.test(d.metaInfo.ami_name),
    );
  }
  if (active(imageOwner)) checks.push((d) => isPlainObject(d.metaInfo) && d.metaInfo.ami_owner_id === imageOwner);
  if (active(applicationId)) checks.push((d) => (d.applicationId ?? null) === applicationId);
  if (active(applicationVersion)) checks.push((d) => (d.applicationVersion ?? null) === applicationVersion);
  if (active(metaInfoJsonPath)) checks.push((d) => jsonPathMatches(metaInfoJsonPath, d.metaInfo));
  return checks;
}

/** Compiles rules once (regexes, paths) into a matcher returning the first matching rule, or undefined. */
export function compileWhitelist(rules: WhitelistRule[]): (draft: ViolationDraft) => WhitelistRule | undefined {
  const compiled = rules
    .map((rule) => ({ rule, checks: predicates(rule) }))
    // A rule with no active criterion matches nothing (§7).
    .filter(({ checks }) => checks.length > 0);
  if (compiled.length === 0) return () => undefined;
  return (draft) => compiled.find(({ checks }) => checks.every((check) => check(draft)))?.rule;
}
