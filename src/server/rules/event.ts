/**
 * The CloudTrail record as the rules see it. Only the fields the rules read are typed; everything else is kept
 * as parsed. `requestParameters`, `responseElements` and `additionalEventData` are objects in real delivery
 * files, but may be null or absent (failed or elided calls), so every rule reads them defensively.
 */
import { asObject } from '../../shared/guards.js';

export interface CloudTrailEvent {
  eventID: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  eventTime?: string;
  recipientAccountId?: string;
  errorCode?: string;
  userIdentity?: UserIdentity | null;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown> | null;
  [field: string]: unknown;
}

export interface UserIdentity {
  type?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
  [field: string]: unknown;
}

/** The account a violation belongs to: the account that received the event, else the caller's account. */
export function accountIdOf(event: CloudTrailEvent): string | undefined {
  return nonBlank(event.recipientAccountId) ?? nonBlank(event.userIdentity?.accountId);
}

/**
 * The API name without the version suffix some services append: Lambda's `CreateFunction20150331`,
 * `UpdateFunctionCode20150331v2`, and the original fixtures' mangled `CreateFunction2ffff31`.
 */
export function baseEventName(eventName: string): string {
  const digit = eventName.search(/\d/);
  return digit > 0 ? eventName.slice(0, digit) : eventName;
}

export function nonBlank(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export { asObject };

/** CloudTrail wraps EC2 lists as `{ "items": [...] }`; an empty list is often `{}`. */
export function itemsOf(value: unknown): Record<string, unknown>[] {
  const items = asObject(value)?.['items'];
  return Array.isArray(items)
    ? items.filter((item): item is Record<string, unknown> => asObject(item) !== undefined)
    : [];
}
