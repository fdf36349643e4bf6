import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { dockerSource, EC2_SOURCE, eventInstances } from './instance-facts.js';

const TYPE = 'SCM_SOURCE_JSON_MISSING';

export const scmSourceJsonMissing: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'pieroneTag', 'scmSource'],
  evaluate(event, _config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const source = dockerSource(instance);
      return source !== undefined && instance?.pieroneTag && instance.scmSource === null
        ? [draftFor(event, TYPE, { instanceId, metaInfo: { source } })]
        : [];
    });
  },
};
