import { describe, expect, it } from 'vitest';
import { describeRulesOff, rulesOff } from './rules-off.js';
import { RULES, SYSTEMS } from '../../../test/enrich/rule-facts.js';

const typesOff = (off: ReturnType<typeof rulesOff>) => off.map((rule) => rule.type);

describe('rulesOff', () => {
  it('lists every rule needing a look-up, and why, when nothing is configured', () => {
    const off = rulesOff();
    expect(typesOff(off)).toEqual([
      'WRONG_AMI',
      'MISSING_USER_DATA',
      'MISSING_APPLICATION_ID_IN_USER_DATA',
      'MISSING_SOURCE_IN_USER_DATA',
      'EC2_WITH_A_SNAPSHOT_IMAGE',
      'APPLICATION_NOT_PRESENT_IN_KIO',
      'IMAGE_IN_PIERONE_NOT_FOUND',
      'SCM_SOURCE_JSON_MISSING',
      'SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON',
      'ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY',
      'ILLEGAL_SCM_REPOSITORY',
      'SCM_URL_IS_MISSING_IN_KIO',
      'SCM_URL_NOT_MATCH_WITH_KIO',
      'MODIFIED_ROLE_OR_SERVICE',
    ]);
    expect(off.find((rule) => rule.type === 'WRONG_AMI')?.reasons).toEqual([
      'enrichment.aws is not configured: no AWS look-ups',
      'rules.wrong_ami.owners is not set: Taupage AMIs cannot be told apart',
    ]);
    expect(off.find((rule) => rule.type === 'APPLICATION_NOT_PRESENT_IN_KIO')?.reasons).toContain(
      'enrichment.application_registry is not configured',
    );
    expect(off.find((rule) => rule.type === 'MODIFIED_ROLE_OR_SERVICE')?.reasons).toContain(
      'rules.modified_role_or_service.templates is not set',
    );
  });

  it('is empty when every system and setting is there, and names rules turned off', () => {
    expect(rulesOff(RULES, SYSTEMS)).toEqual([]);
    const off = rulesOff(
      { ...RULES, wrong_region: { enabled: false }, scm_repository: { ...RULES.scm_repository, enabled: false } },
      SYSTEMS,
    );
    expect(off).toEqual([
      { type: 'WRONG_REGION', reasons: ['rules.wrong_region.enabled is false'] },
      { type: 'ILLEGAL_SCM_REPOSITORY', reasons: ['rules.scm_repository.enabled is false'] },
      { type: 'SCM_URL_IS_MISSING_IN_KIO', reasons: ['rules.scm_repository.enabled is false'] },
      { type: 'SCM_URL_NOT_MATCH_WITH_KIO', reasons: ['rules.scm_repository.enabled is false'] },
    ]);
    expect(describeRulesOff(off)[0]).toBe('WRONG_REGION is off: rules.wrong_region.enabled is false');
  });

  it('turns off only what a missing registry takes away', () => {
    const noRegistries = { aws: {}, application_registry: SYSTEMS.application_registry! };
    expect(typesOff(rulesOff(RULES, noRegistries))).toEqual([
      'IMAGE_IN_PIERONE_NOT_FOUND',
      'SCM_SOURCE_JSON_MISSING',
      'SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON',
      'ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY',
      'ILLEGAL_SCM_REPOSITORY',
      'SCM_URL_IS_MISSING_IN_KIO',
      'SCM_URL_NOT_MATCH_WITH_KIO',
    ]);
  });
});
