import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { nonBlank } from './event.js';
import { dockerSource, EC2_SOURCE, eventInstances } from './instance-facts.js';

const TYPE = 'ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY';

export const artifactBuiltFromDirtyRepository: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'pieroneTag', 'scmSource'],
  evaluate(event, _config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const source = dockerSource(instance);
      const scmSource = instance?.scmSource;
      if (source === undefined || !instance?.pieroneTag || !scmSource) return [];
      const status = nonBlank(scmSource['status']);
      if (status === undefined || status.toLowerCase() === 'false') return [];
      const metaInfo: Record<string, string> = {};
      for (const [key, value] of Object.entries(scmSource)) metaInfo[`scm_source_${key}`] = value;
      metaInfo['source'] = source;
      return [draftFor(event, TYPE, { instanceId, metaInfo })];
    });
  },
};
