/**
 * The violation model shared by the CLI, the HTTP client and the server. Types only: importing this module
 * costs nothing at run time, so the CLI's start-up never loads TypeBox.
 */
import type { Static } from '@sinclair/typebox';
import type {
  ViolationTypeSchema,
  SortOrderSchema,
  CreateViolationSchema,
  WhitelistingRuleInputSchema,
  WhitelistingRuleSchema,
  CountByAccountAndTypeSchema,
  CountByAppVersionAndTypeSchema,
  ApiErrorSchema,
} from './schemas.js';

export type ViolationType = Static<typeof ViolationTypeSchema>;

/** A violation as the API serialises it: the original server's `ViolationDto`, with snake_case keys. */
export interface Violation {
  id: number;
  version: number;
  event_id: string | null;
  account_id: string | null;
  region: string | null;
  /** Whatever JSON the rule stored: an object, a list, a string or null. */
  meta_info: unknown;
  /** Non-null means resolved (or whitelisted, when `rule_id` is set too). */
  comment: string | null;
  instance_id: string | null;
  plugin_fully_qualified_class_name: string | null;
  violation_type: ViolationType;
  created: string | null;
  created_by: string | null;
  last_modified: string | null;
  last_modified_by: string | null;
  username: string | null;
  rule_id: number | null;
  application_id: string | null;
  application_version_id: string | null;
}

export type SortOrder = Static<typeof SortOrderSchema>;

/** The Spring Data page envelope that the original server's list endpoints answer with. */
export interface Page<T> {
  content: T[];
  total_elements: number;
  total_pages: number;
  size: number;
  number: number;
  number_of_elements: number;
  first: boolean;
  last: boolean;
  sort: SortOrder[];
}

export type CreateViolation = Static<typeof CreateViolationSchema>;
export type WhitelistingRuleInput = Static<typeof WhitelistingRuleInputSchema>;
export type WhitelistingRule = Static<typeof WhitelistingRuleSchema>;
export type CountByAccountAndType = Static<typeof CountByAccountAndTypeSchema>;
export type CountByAppVersionAndType = Static<typeof CountByAppVersionAndTypeSchema>;
export type ApiErrorBody = Static<typeof ApiErrorSchema>;

/** Severity: higher is more severe (0–4). Priority: lower is more urgent (1–4). */
export const SEVERITY_RANGE = { min: 0, max: 4 } as const;

/** Formats a date as the original server does: ISO-8601 UTC with milliseconds, e.g. `2015-04-14T19:09:01.000Z`. */
export function formatApiDate(date: Date): string {
  return date.toISOString();
}
