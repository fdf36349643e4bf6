import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { EC2_SOURCE, eventInstances } from './instance-facts.js';

const TYPE = 'APPLICATION_NOT_PRESENT_IN_KIO';

export const applicationNotPresentInKio: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'kioApplication'],
  evaluate(event, _config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const applicationId = instance?.taupage?.application_id;
      return applicationId && instance.kioApplication === null
        ? [draftFor(event, TYPE, { instanceId, metaInfo: { application_id: applicationId } })]
        : [];
    });
  },
};
