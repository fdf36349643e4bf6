import { describe, expect, it } from 'vitest';
import {
  cleanInstance,
  evaluate,
  factsFor,
  fixtureEvent,
  RULES,
  SOURCE,
  SYSTEMS,
  TAUPAGE,
} from '../../../test/enrich/rule-facts.js';

const run = fixtureEvent('scm-repository--run-instance-record');
const start = fixtureEvent('application-lifecycle--record-start');
const stop = fixtureEvent('application-lifecycle--record-stop');
const ID = 'i-affenbanane';
const one = (overrides: Parameters<typeof cleanInstance>[0]) => factsFor({ [ID]: cleanInstance(overrides) });
const REGISTRY_TYPES = [
  'APPLICATION_NOT_PRESENT_IN_KIO',
  'IMAGE_IN_PIERONE_NOT_FOUND',
  'SCM_SOURCE_JSON_MISSING',
  'SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON',
  'ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY',
];
const found = (event: typeof run, facts: ReturnType<typeof one>, rules = RULES, systems = SYSTEMS) =>
  evaluate(event, facts, rules, systems)
    .filter((d) => REGISTRY_TYPES.includes(d.type))
    .map((d) => [d.type, d.metaInfo]);

it('a clean, registered instance has no registry violation', () => {
  expect(found(run, one({}))).toEqual([]);
});

describe('APPLICATION_NOT_PRESENT_IN_KIO', () => {
  it('reports an application Kio does not know, on RunInstances and StartInstances', () => {
    for (const event of [run, start])
      expect(found(event, one({ kioApplication: null }))).toEqual([
        ['APPLICATION_NOT_PRESENT_IN_KIO', { application_id: 'fullstop' }],
      ]);
    expect(found(stop, one({ kioApplication: null }))).toEqual([]);
  });

  it('says nothing without application_id, without a Kio answer, or without Kio configured', () => {
    expect(found(run, one({ kioApplication: null, taupage: { ...TAUPAGE, application_id: null } }))).toEqual([]);
    expect(found(run, one({ kioApplication: undefined }))).toEqual([]);
    const noKio = { aws: {}, artifact_registries: SYSTEMS.artifact_registries! };
    expect(found(run, one({ kioApplication: null }), RULES, noKio)).toEqual([]);
  });
});

describe('Docker registry checks', () => {
  it('IMAGE_IN_PIERONE_NOT_FOUND: the tag is not in the registry; nothing else is checked', () => {
    expect(found(run, one({ pieroneTag: null, scmSource: null }))).toEqual([
      ['IMAGE_IN_PIERONE_NOT_FOUND', { source: SOURCE }],
    ]);
    expect(found(start, one({ pieroneTag: null, scmSource: null }))).toHaveLength(1);
  });

  it('SCM_SOURCE_JSON_MISSING: the tag has no scm-source', () => {
    expect(found(run, one({ scmSource: null }))).toEqual([['SCM_SOURCE_JSON_MISSING', { source: SOURCE }]]);
  });

  it('SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON and ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY can both fire', () => {
    const scmSource = { url: ' ', revision: 'cafe', author: 'alice', status: 'M pom.xml' };
    expect(found(run, one({ scmSource }))).toEqual([
      ['SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON', { source: SOURCE }],
      [
        'ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY',
        {
          scm_source_url: ' ',
          scm_source_revision: 'cafe',
          scm_source_author: 'alice',
          scm_source_status: 'M pom.xml',
          source: SOURCE,
        },
      ],
    ]);
  });

  it('a blank or "false" status is clean', () => {
    for (const status of ['', '  ', 'false', 'FALSE'])
      expect(found(run, one({ scmSource: { url: 'https://github.com/zalando-stups/fullstop', status } }))).toEqual([]);
    expect(found(run, one({ scmSource: { url: 'https://github.com/zalando-stups/fullstop' } }))).toEqual([]);
  });

  it('only Docker runtimes with a source are checked', () => {
    for (const taupage of [
      { ...TAUPAGE, runtime: 'docker' },
      { ...TAUPAGE, runtime: null },
      { ...TAUPAGE, source: null },
    ])
      expect(found(run, one({ taupage, pieroneTag: null, scmSource: null }))).toEqual([]);
  });

  it('says nothing without artifact registries configured', () => {
    const noRegistries = { aws: {}, application_registry: SYSTEMS.application_registry! };
    expect(found(run, one({ pieroneTag: null }), RULES, noRegistries)).toEqual([]);
  });
});

describe('SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON outside Docker', () => {
  it('reports the repository check form with the scm-source as YAML for other runtimes', () => {
    const taupage = { ...TAUPAGE, runtime: 'Java' };
    const scmSource = { url: ' ', user: 'unittester', revision: '1a2b3c4d' };
    expect(found(run, one({ taupage, scmSource, pieroneTag: undefined }))).toEqual([
      [
        'SCM_URL_IS_MISSING_IN_SCM_SOURCE_JSON',
        {
          application_id: 'fullstop',
          deployment_artifact: SOURCE,
          scm_source: "{url: ' ', user: unittester, revision: 1a2b3c4d}\n",
        },
      ],
    ]);
  });
});
