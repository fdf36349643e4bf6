import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { EC2_SOURCE, eventInstances, isTaupageAmi } from './instance-facts.js';

const TYPE = 'WRONG_AMI';

// As the original's AmiPlugin: an AMI that cannot be resolved is wrong too. `approved_ids` is new.
export const wrongAmi: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances'] },
  needs: ['image'],
  requires: ['taupage'],
  evaluate(event, config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      if (instance?.image === undefined) return [];
      const amiId = instance.amiId ?? null;
      if (isTaupageAmi(instance.image, config) === true || (amiId !== null && config.approvedAmis.has(amiId)))
        return [];
      return [
        draftFor(event, TYPE, {
          instanceId,
          metaInfo: {
            ami_owner_id: instance.image?.ownerId ?? '',
            ami_id: amiId ?? '',
            ami_name: instance.image?.name ?? '',
          },
        }),
      ];
    });
  },
};
