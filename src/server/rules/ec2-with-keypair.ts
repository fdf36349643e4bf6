import type { DetectionRule } from './rule.js';
import { itemsOf, nonBlank } from './event.js';
import { draftFor } from './draft.js';

const TYPE = 'EC2_WITH_KEYPAIR';

// AMI owner and name need an EC2 lookup (enrichment); until then they are "" as in the original when unknown.
export const ec2WithKeypair: DetectionRule = {
  type: TYPE,
  triggers: { 'ec2.amazonaws.com': ['RunInstances'] },
  evaluate(event) {
    return itemsOf(event.responseElements?.['instancesSet']).flatMap((instance) => {
      const keyName = nonBlank(instance['keyName']);
      if (keyName === undefined) return [];
      return [
        draftFor(event, TYPE, {
          instanceId: nonBlank(instance['instanceId']) ?? null,
          metaInfo: { key_name: keyName, ami_owner_id: '', ami_id: nonBlank(instance['imageId']) ?? '', ami_name: '' },
        }),
      ];
    });
  },
};
