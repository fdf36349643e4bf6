import { stringify } from 'yaml';
import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { nonBlank } from './event.js';
import { dockerSource, EC2_SOURCE, eventInstances } from './instance-facts.js';
import { artifactMeta } from './scm-repository.js';

const TYPE = 'SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON';

/**
 * Two plugins of the original reported this type with different meta_info, and only the first stored one was
 * kept: the Docker-registry check (`{source}`, for Docker instances whose image was found) and the repository
 * check (`{application_id, deployment_artifact, scm_source}` with the scm-source as YAML, for any instance). The
 * original does not define which ran first; this rule uses the Docker-registry form where both would apply.
 */
export const scmUrlIsMissingInScmSourceJson: DetectionRule = {
  type: TYPE,
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'pieroneTag', 'scmSource'],
  evaluate(event, _config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const scmSource = instance?.scmSource;
      if (!scmSource || nonBlank(scmSource['url']) !== undefined) return [];
      const source = dockerSource(instance);
      const metaInfo =
        source !== undefined && instance?.pieroneTag
          ? { source }
          : {
              ...artifactMeta(instance),
              // SnakeYAML's dump of a flat map, which the original stored.
              scm_source: stringify(scmSource, {
                collectionStyle: 'flow',
                flowCollectionPadding: false,
                singleQuote: true,
                lineWidth: 0,
              }),
            };
      return [draftFor(event, TYPE, { instanceId, metaInfo })];
    });
  },
};
