import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { EC2_SOURCE, eventInstances } from './instance-facts.js';

const TYPE = 'EC2_WITH_A_SNAPSHOT_IMAGE';
const SNAPSHOT = /^.*-SNAPSHOT$/;

export const ec2WithASnapshotImage: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage'],
  evaluate(event, _config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const source = instance?.taupage?.source;
      return source && SNAPSHOT.test(source)
        ? [draftFor(event, TYPE, { instanceId, metaInfo: { deployment_artifact: source } })]
        : [];
    });
  },
};
