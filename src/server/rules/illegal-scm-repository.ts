import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { EC2_SOURCE, eventInstances } from './instance-facts.js';
import { artifactMeta, normalizedUrl, parseRepository, scmSourceUrl, unknownUrlMessage } from './scm-repository.js';

const TYPE = 'ILLEGAL_SCM_REPOSITORY';

export const illegalScmRepository: DetectionRule = {
  type: TYPE,
  group: 'SCM_REPOSITORY',
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'scmSource'],
  requires: ['scm_hosts'],
  evaluate(event, config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const scm = scmSourceUrl(instance);
      if (scm === undefined) return [];
      const repository = parseRepository(scm.url, config.scmHosts);
      if (repository === undefined)
        return [
          draftFor(event, TYPE, {
            instanceId,
            metaInfo: { ...artifactMeta(instance), error_message: unknownUrlMessage(scm.url) },
          }),
        ];
      const allowed = config.scmHosts.get(repository.host)!;
      if (allowed.owner.test(repository.owner)) return [];
      return [
        draftFor(event, TYPE, {
          instanceId,
          metaInfo: {
            ...artifactMeta(instance),
            normalized_scm_source_url: normalizedUrl(repository),
            allowed_owners: allowed.pattern,
            actual_owner: repository.owner,
          },
        }),
      ];
    });
  },
};
