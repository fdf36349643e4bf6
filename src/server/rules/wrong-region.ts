import type { DetectionRule } from './rule.js';
import { asObject, baseEventName, itemsOf, nonBlank } from './event.js';
import { draftFor } from './draft.js';

const TYPE = 'WRONG_REGION';

export const wrongRegion: DetectionRule = {
  type: TYPE,
  triggers: { 'ec2.amazonaws.com': ['RunInstances'], 'lambda.amazonaws.com': ['CreateFunction'] },
  evaluate(event, config) {
    if (config.allowedRegions.includes(event.awsRegion)) return [];
    if (baseEventName(event.eventName) === 'CreateFunction') {
      const response = asObject(event.responseElements);
      const functionName =
        nonBlank(response?.['functionName']) ?? nonBlank(event.requestParameters?.['functionName']) ?? '';
      return [
        draftFor(event, TYPE, {
          instanceId: nonBlank(response?.['functionArn']) ?? null,
          metaInfo: { function_name: functionName },
        }),
      ];
    }
    return itemsOf(event.responseElements?.['instancesSet']).map((instance) =>
      draftFor(event, TYPE, {
        instanceId: nonBlank(instance['instanceId']) ?? null,
        metaInfo: { allowed_regions: [...config.allowedRegions] },
      }),
    );
  },
};
