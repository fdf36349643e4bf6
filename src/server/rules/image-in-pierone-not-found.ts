import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { dockerSource, EC2_SOURCE, eventInstances } from './instance-facts.js';

const TYPE = 'IMAGE_IN_PIERONE_NOT_FOUND';

// An unknown registry host or a `source` that is no registry/team/artifact:tag counts as not found, as before.
export const imageInPieroneNotFound: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'pieroneTag'],
  evaluate(event, _config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const source = dockerSource(instance);
      return source !== undefined && instance?.pieroneTag === null
        ? [draftFor(event, TYPE, { instanceId, metaInfo: { source } })]
        : [];
    });
  },
};
