import type { DetectionRule } from './rule.js';
import { draftFor } from './draft.js';
import { nonBlank } from './event.js';
import { EC2_SOURCE, eventInstances } from './instance-facts.js';
import { normalizedUrl, parseRepository, sameRepository, scmSourceUrl, unknownUrlMessage } from './scm-repository.js';

const TYPE = 'SCM_URL_NOT_MATCH_WITH_KIO';

export const scmUrlNotMatchWithKio: DetectionRule = {
  type: TYPE,
  group: 'SCM_REPOSITORY',
  triggers: { [EC2_SOURCE]: ['RunInstances', 'StartInstances'] },
  needs: ['taupage', 'scmSource', 'kioApplication'],
  requires: ['scm_hosts'],
  evaluate(event, config, facts) {
    return eventInstances(event, facts).flatMap(({ instanceId, facts: instance }) => {
      const scm = scmSourceUrl(instance);
      const application = instance?.kioApplication;
      const kioUrl = nonBlank(application?.scm_url);
      const repository = scm && parseRepository(scm.url, config.scmHosts);
      if (!repository || !application || kioUrl === undefined) return [];
      const common = {
        application_id: application.id,
        deployment_artifact: instance?.taupage?.source ?? '',
        normalized_scm_source_url: normalizedUrl(repository),
      };
      const kioRepository = parseRepository(kioUrl, config.scmHosts);
      if (kioRepository === undefined)
        return [
          draftFor(event, TYPE, {
            instanceId,
            metaInfo: { ...common, kio_scm_url: kioUrl, error_message: unknownUrlMessage(kioUrl) },
          }),
        ];
      return sameRepository(repository, kioRepository)
        ? []
        : [
            draftFor(event, TYPE, {
              instanceId,
              metaInfo: { ...common, normalized_kio_scm_url: normalizedUrl(kioRepository) },
            }),
          ];
    });
  },
};
