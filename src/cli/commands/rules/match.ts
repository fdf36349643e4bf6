/**
 * Whether a whitelisting rule matches a violation, decided as the server decides it for a new violation (the
 * original's WhitelistRulesEvaluator): every non-blank criterion must hold, and a rule without any matches
 * nothing. `image_name` is a full match (Java's String.matches) of `meta_info.ami_name` and `meta_info_json_path` a
 * Jayway JsonPath, both evaluated with the server's own code (the linear-time regex engine and JsonPath adapter
 * of src/shared), so that a dry run and the server agree.
 */
import { compileJsonPath } from '../../../shared/jayway-path.js';
import { isPlainObject } from '../../../shared/guards.js';
import type { Violation, WhitelistingRuleInput } from '../../../shared/violation.js';
import { compileFullMatch } from '../../../shared/linear-regex.js';

type Predicate = (v: Violation) => boolean;

/** The criteria of a rule: the input fields that select violations. */
export type RuleCriteria = Pick<
  WhitelistingRuleInput,
  | 'account_id'
  | 'region'
  | 'violation_type'
  | 'application_id'
  | 'application_version'
  | 'image_name'
  | 'image_owner'
  | 'meta_info_json_path'
>;

/** The criterion fields, in the evaluator's order. */
export const CRITERIA = [
  'account_id',
  'region',
  'violation_type',
  'image_name',
  'image_owner',
  'application_id',
  'application_version',
  'meta_info_json_path',
] as const satisfies ReadonlyArray<keyof RuleCriteria>;

/** The criterion's value when it is active (non-blank, trimmed as the original trims it), else undefined. */
export function activeValue(rule: RuleCriteria, field: keyof RuleCriteria): string | undefined {
  const value = rule[field]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function predicate(field: (typeof CRITERIA)[number], value: string): Predicate {
  switch (field) {
    case 'account_id':
      return (v) => v.account_id === value;
    case 'region':
      return (v) => v.region === value;
    case 'violation_type':
      return (v) => v.violation_type.id === value;
    case 'application_id':
      return (v) => v.application_id === value;
    case 'application_version':
      return (v) => v.application_version_id === value;
    case 'image_owner':
      return (v) => isPlainObject(v.meta_info) && v.meta_info.ami_owner_id === value;
    case 'image_name': {
      const compiled = compileFullMatch(value);
      return (v) =>
        'matches' in compiled &&
        isPlainObject(v.meta_info) &&
        typeof v.meta_info.ami_name === 'string' &&
        compiled.matches(v.meta_info.ami_name);
    }
    case 'meta_info_json_path': {
      const compiled = compileJsonPath(value);
      return (v) => 'match' in compiled && compiled.match(v.meta_info);
    }
  }
}

/** A predicate for `rule`; a rule without active criteria matches nothing. */
export function ruleMatcher(rule: RuleCriteria): Predicate {
  const checks = CRITERIA.flatMap((field) => {
    const value = activeValue(rule, field);
    return value === undefined ? [] : [predicate(field, value)];
  });
  if (checks.length === 0) return () => false;
  return (v) => checks.every((check) => check(v));
}
