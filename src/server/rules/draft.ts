import type { ViolationDraft } from '../model.js';
import { accountIdOf, nonBlank, type CloudTrailEvent } from './event.js';

/** A draft pre-filled from the event as the original's `violationFor(event)`: event id, account, region, user. */
export function draftFor(
  event: CloudTrailEvent,
  type: string,
  fields: { instanceId?: string | null; metaInfo: unknown },
): ViolationDraft {
  return {
    eventId: event.eventID,
    // The reader only hands over events with an account id, so the fallback is never stored.
    accountId: accountIdOf(event) ?? '',
    region: event.awsRegion,
    type,
    instanceId: fields.instanceId ?? null,
    metaInfo: fields.metaInfo,
    username: nonBlank(event.userIdentity?.arn) ?? null,
    applicationId: null,
    applicationVersion: null,
    pluginName: `fullstop.rules.${type}`,
  };
}
