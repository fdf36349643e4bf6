import type { DetectionRule } from './rule.js';
import type { CloudTrailEvent } from './event.js';
import { asObject, nonBlank } from './event.js';
import { draftFor } from './draft.js';

const TYPE = 'CLOUDTRAIL_TAMPERING';

function list(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.map((item) => asObject(item)).filter((item) => item !== undefined) : [];
}

/** Basic selectors log write management events when one includes management events and is not read-only. */
function basicSelectorsLogManagementWrites(selectors: Record<string, unknown>[]): boolean {
  return selectors.some(
    (selector) => selector['includeManagementEvents'] !== false && selector['readWriteType'] !== 'ReadOnly',
  );
}

/** Advanced selectors log write management events when one selects `eventCategory = Management` and not only reads. */
function advancedSelectorsLogManagementWrites(selectors: Record<string, unknown>[]): boolean {
  return selectors.some((selector) => {
    const fields = list(selector['fieldSelectors']);
    const equals = (field: string) => fields.find((f) => f['field'] === field)?.['equals'];
    const category = equals('eventCategory');
    const readOnly = equals('readOnly');
    return (
      Array.isArray(category) &&
      category.includes('Management') &&
      !(Array.isArray(readOnly) && readOnly.includes('true'))
    );
  });
}

function tamperingReason(event: CloudTrailEvent): string | undefined {
  const request = asObject(event.requestParameters) ?? {};
  switch (event.eventName) {
    case 'StopLogging':
      return 'logging stopped';
    case 'DeleteTrail':
      return 'trail deleted';
    case 'UpdateTrail':
      if (request['isMultiRegionTrail'] === false) return 'multi-region logging turned off';
      if (request['includeGlobalServiceEvents'] === false) return 'global service events turned off';
      return undefined;
    case 'PutEventSelectors': {
      if (Array.isArray(request['advancedEventSelectors'])) {
        return advancedSelectorsLogManagementWrites(list(request['advancedEventSelectors']))
          ? undefined
          : 'management events no longer logged';
      }
      return basicSelectorsLogManagementWrites(list(request['eventSelectors']))
        ? undefined
        : 'management events no longer logged';
    }
    default:
      return undefined;
  }
}

export const cloudtrailTampering: DetectionRule = {
  type: TYPE,
  triggers: { 'cloudtrail.amazonaws.com': ['StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors'] },
  evaluate(event) {
    const reason = tamperingReason(event);
    if (reason === undefined) return [];
    const request = asObject(event.requestParameters);
    const trail = nonBlank(request?.['name']) ?? nonBlank(request?.['trailName']) ?? '';
    return [
      draftFor(event, TYPE, { instanceId: trail || null, metaInfo: { trail, event_name: event.eventName, reason } }),
    ];
  },
};
