/**
 * Application lifecycle records, as the original's LifecyclePlugin kept them: one per instance of a Run, Start,
 * Stop or Terminate event whose application and version are known, dated by the instance's launch time for
 * RunInstances and by the event time otherwise. A pure function of the enriched event; storing it is the
 * caller's. The application comes from the Taupage user data, or else from the configured instance tags.
 */
import { accountIdOf, nonBlank } from '../rules/event.js';
import { EC2_SOURCE, eventInstances } from '../rules/instance-facts.js';
import type { EnrichedEvent } from './facts.js';

export type LifecycleEventType = 'RunInstances' | 'StartInstances' | 'StopInstances' | 'TerminateInstances';

export interface LifecycleRecord {
  eventType: LifecycleEventType;
  /** The CloudTrail eventID: an event read twice records its instances once. */
  eventId: string;
  /** ISO-8601 UTC. */
  eventDate: string;
  accountId: string;
  region: string;
  instanceId: string;
  imageId: string | null;
  imageName: string | null;
  applicationId: string;
  applicationVersion: string;
}

const EVENT_TYPES: ReadonlySet<string> = new Set<LifecycleEventType>([
  'RunInstances',
  'StartInstances',
  'StopInstances',
  'TerminateInstances',
]);

/** CloudTrail gives `launchTime` as epoch milliseconds; ISO strings are accepted too. */
function isoDate(value: unknown): string | undefined {
  const date = typeof value === 'number' ? new Date(value) : typeof value === 'string' ? new Date(value) : undefined;
  return date === undefined || Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function lifecycleRecords({ event, facts }: EnrichedEvent): LifecycleRecord[] {
  const accountId = accountIdOf(event);
  if (event.eventSource !== EC2_SOURCE || !EVENT_TYPES.has(event.eventName) || accountId === undefined) return [];
  if (nonBlank(event.errorCode) !== undefined) return [];
  const eventType = event.eventName as LifecycleEventType;
  return eventInstances(event, facts).flatMap(({ instanceId, item, facts: instance }) => {
    const application = instance?.application;
    if (!application?.id || !application.version) return [];
    const eventDate =
      (eventType === 'RunInstances' ? isoDate(item['launchTime']) : undefined) ?? isoDate(event.eventTime);
    if (eventDate === undefined) return [];
    return [
      {
        eventType,
        eventId: event.eventID,
        eventDate,
        accountId,
        region: event.awsRegion,
        instanceId,
        imageId: instance?.amiId ?? nonBlank(item['imageId']) ?? null,
        imageName: instance?.image?.name ?? null,
        applicationId: application.id,
        applicationVersion: application.version,
      },
    ];
  });
}
