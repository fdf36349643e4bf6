import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { EC2_SOURCE, eventInstances, isTaupageAmi } from './instance-facts.js';

const TYPE = 'MISSING_SOURCE_IN_USER_DATA';

export const missingSourceInUserData: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances'] },
  needs: ['image', 'taupage'],
  evaluate(event, config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const taupage = instance?.taupage;
      return taupage && taupage.source === null && isTaupageAmi(instance.image, config) === true
        ? [draftFor(event, TYPE, { instanceId, metaInfo: null })]
        : [];
    });
  },
};
