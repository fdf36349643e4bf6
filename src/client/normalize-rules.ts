/**
 * Reads whitelisting rules and violation counts defensively, as normalize.ts reads violations: the original
 * server sends nulls for absent values and dates as ISO strings (epoch millis from older Jackson set-ups).
 */
import type { CountByAccountAndType, CountByAppVersionAndType, WhitelistingRule } from '../shared/violation.js';
import { isPlainObject } from '../shared/guards.js';
import { date, int, str } from './json-fields.js';
import { InvalidResponseError } from './errors.js';

type Json = Record<string, unknown>;

/** Normalises one whitelisting rule (RuleEntity), or throws InvalidResponseError when it has no numeric id. */
export function toWhitelistingRule(value: unknown): WhitelistingRule {
  if (!isPlainObject(value) || int(value.id) === null) {
    throw new InvalidResponseError('the server sent a whitelisting rule without a numeric id');
  }
  return {
    id: value.id as number,
    account_id: str(value.account_id),
    region: str(value.region),
    application_id: str(value.application_id),
    application_version: str(value.application_version),
    image_name: str(value.image_name),
    image_owner: str(value.image_owner),
    reason: str(value.reason) ?? '',
    expiry_date: date(value.expiry_date) ?? '',
    violation_type_entity_id: str(value.violation_type_entity_id),
    meta_info_json_path: str(value.meta_info_json_path),
    created: date(value.created) ?? '',
    created_by: str(value.created_by) ?? '',
    last_modified: date(value.last_modified),
    last_modified_by: str(value.last_modified_by),
    version: int(value.version) ?? 0,
  };
}

/** Normalises a list of rules. */
export function toWhitelistingRules(value: unknown): WhitelistingRule[] {
  if (!Array.isArray(value)) throw new InvalidResponseError('the server sent whitelisting rules that are not a list');
  return value.map(toWhitelistingRule);
}

function countList(value: unknown, what: string): Json[] {
  if (!Array.isArray(value) || !value.every(isPlainObject)) {
    throw new InvalidResponseError(`the server sent ${what} that are not a list of objects`);
  }
  return value;
}

function quantity(item: Json, what: string): number {
  const n = int(item.quantity);
  if (n === null) throw new InvalidResponseError(`the server sent ${what} without a numeric quantity`);
  return n;
}

/** Normalises the answer of `GET /api/violation-count`. */
export function toCountsByAccountAndType(value: unknown): CountByAccountAndType[] {
  const what = 'violation counts';
  return countList(value, what).map((item) => ({
    account: str(item.account) ?? '',
    type: str(item.type) ?? '',
    quantity: quantity(item, what),
  }));
}

/** Normalises the answer of `GET /api/violation-count/{account}`. */
export function toCountsByAppVersionAndType(value: unknown): CountByAppVersionAndType[] {
  const what = 'violation counts of an account';
  return countList(value, what).map((item) => ({
    application: str(item.application),
    version: str(item.version),
    type: str(item.type) ?? '',
    quantity: quantity(item, what),
  }));
}
