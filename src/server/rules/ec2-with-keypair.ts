import type { DetectionRule } from './rule.js';
import { nonBlank } from './event.js';
import { draftFor } from './draft.js';
import { EC2_SOURCE, eventInstances } from './instance-facts.js';

const TYPE = 'EC2_WITH_KEYPAIR';

// The AMI's owner and name come from enrichment when it ran; "" when unknown, as in the original.
export const ec2WithKeypair: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances'] },
  evaluate(event, _config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, item, facts: instance }) => {
      const keyName = nonBlank(item['keyName']);
      if (keyName === undefined) return [];
      return [
        draftFor(event, TYPE, {
          instanceId,
          metaInfo: {
            key_name: keyName,
            ami_owner_id: instance?.image?.ownerId ?? '',
            ami_id: instance?.amiId ?? nonBlank(item['imageId']) ?? '',
            ami_name: instance?.image?.name ?? '',
          },
        }),
      ];
    });
  },
};
