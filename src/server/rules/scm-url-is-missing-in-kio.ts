import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { nonBlank } from './event.js';
import { EC2_SOURCE, eventInstances } from './instance-facts.js';
import { parseRepository, scmSourceUrl } from './scm-repository.js';

const TYPE = 'SCM_URL_IS_MISSING_IN_KIO';

export const scmUrlIsMissingInKio: DetectionRule = {
  type: TYPE,
  group: 'SCM_REPOSITORY',
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'scmSource', 'kioApplication'],
  requires: ['scm_hosts'],
  evaluate(event, config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const scm = scmSourceUrl(instance);
      const application = instance?.kioApplication;
      if (scm === undefined || !application || parseRepository(scm.url, config.scmHosts) === undefined) return [];
      return nonBlank(application.scm_url) === undefined
        ? [draftFor(event, TYPE, { instanceId, metaInfo: { application_id: application.id } })]
        : [];
    });
  },
};
