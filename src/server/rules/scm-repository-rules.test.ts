import { describe, expect, it } from 'vitest';
import { cleanInstance, evaluate, factsFor, fixtureEvent, RULES, SOURCE } from '../../../test/enrich/rule-facts.js';
import { resolveRulesConfig } from './config.js';
import { parseRepository } from './scm-repository.js';

const run = fixtureEvent('scm-repository--run-instance-record');
const ID = 'i-affenbanane';
const one = (overrides: Parameters<typeof cleanInstance>[0]) => factsFor({ [ID]: cleanInstance(overrides) });
const SCM_TYPES = ['ILLEGAL_SCM_REPOSITORY', 'SCM_URL_IS_MISSING_IN_KIO', 'SCM_URL_NOT_MATCH_WITH_KIO'];
const found = (facts: ReturnType<typeof one>, rules = RULES) =>
  evaluate(run, facts, rules)
    .filter((d) => SCM_TYPES.includes(d.type))
    .map((d) => [d.type, d.metaInfo]);
const scm = (url: string) => ({ scmSource: { url, revision: 'cafe' } });

describe('repository URLs', () => {
  // The original's RepositoriesTest cases.
  const github = resolveRulesConfig({ scm_repository: { hosts: { 'github.com': '^.+$' } } }).scmHosts;
  const two = resolveRulesConfig({
    scm_repository: { hosts: { 'github.com': '^.+$', 'git.my.company.com': '^.+$' } },
  }).scmHosts;
  const fullstop = { host: 'github.com', owner: 'zalando-stups', name: 'fullstop' };
  it.each([
    'https://github.com/zalando-stups/fullstop',
    'https://GitHub.com/zAlAnDo-STUPS/FULLstop',
    'https://github.com:443/zalando-stups/fullstop',
    'git:https://github.com/zalando-stups/fullstop',
    'http://github.com/zalando-stups/fullstop',
    'https://github.com/zalando-stups/fullstop.git',
    'https://github.com/zalando-stups/fullstop.git/src',
    'https://github.com/zalando-stups/fullstop/tree/master/src',
    'git@github.com:zalando-stups/fullstop',
    'git@github.com:zalando-stups/fullstop.git',
    'git:git@github.com:zalando-stups/fullstop.git',
  ])('%s is github.com/zalando-stups/fullstop', (url) => {
    expect(parseRepository(url, github)).toEqual(fullstop);
  });

  it('knows only the configured hosts and needs an owner and a name', () => {
    expect(parseRepository('https://github.com/zalando-stups/fullstop', two)).toEqual(fullstop);
    expect(parseRepository('https://git.my.company.com/zalando-stups/fullstop', two)).toEqual({
      ...fullstop,
      host: 'git.my.company.com',
    });
    for (const url of [
      'https://git.my.company.com/zalando-stups/fullstop',
      'https://github.com/zalando-stups',
      'https://github.com',
    ])
      expect(parseRepository(url, github)).toBeUndefined();
  });
});

describe('ILLEGAL_SCM_REPOSITORY', () => {
  it('reports a URL of no known host, then checks nothing else', () => {
    expect(found(one({ ...scm('https://google.com'), kioApplication: { id: 'fullstop', scm_url: '' } }))).toEqual([
      [
        'ILLEGAL_SCM_REPOSITORY',
        {
          application_id: 'fullstop',
          deployment_artifact: SOURCE,
          error_message: "'https://google.com' does not look like a valid git repository",
        },
      ],
    ]);
  });

  it('reports an owner the host does not allow (full match), and goes on to compare with Kio', () => {
    const facts = one({
      ...scm('https://github.com/zalando-foo/fullstop'),
      kioApplication: { id: 'fullstop', scm_url: ' ' },
    });
    expect(found(facts)).toEqual([
      [
        'ILLEGAL_SCM_REPOSITORY',
        {
          application_id: 'fullstop',
          deployment_artifact: SOURCE,
          normalized_scm_source_url: 'https://github.com/zalando-foo/fullstop',
          allowed_owners: '^(?:zalando|zalando-stups)$',
          actual_owner: 'zalando-foo',
        },
      ],
      ['SCM_URL_IS_MISSING_IN_KIO', { application_id: 'fullstop' }],
    ]);
    const partial = { ...RULES, scm_repository: { hosts: { 'github.com': 'zalando' } } };
    expect(found(one(scm('https://github.com/zalando-stups/fullstop')), partial)[0]?.[0]).toBe(
      'ILLEGAL_SCM_REPOSITORY',
    );
  });

  it('accepts allowed owners on every configured host', () => {
    expect(found(one({}))).toEqual([]);
    expect(
      found(
        one({
          ...scm('https://github.my.company.com/anyone/fullstop'),
          kioApplication: { id: 'x', scm_url: 'https://github.my.company.com/anyone/fullstop.git' },
        }),
      ),
    ).toEqual([]);
  });
});

describe('SCM_URL_IS_MISSING_IN_KIO and SCM_URL_NOT_MATCH_WITH_KIO', () => {
  it('report an application without scm_url in Kio', () => {
    expect(found(one({ kioApplication: { id: 'fullstop', scm_url: null } }))).toEqual([
      ['SCM_URL_IS_MISSING_IN_KIO', { application_id: 'fullstop' }],
    ]);
  });

  it("report an artifact built from another repository than the application's", () => {
    expect(
      found(one({ kioApplication: { id: 'hello-world', scm_url: 'git@github.com:zalando-stups/hello-world.git' } })),
    ).toEqual([
      [
        'SCM_URL_NOT_MATCH_WITH_KIO',
        {
          application_id: 'hello-world',
          deployment_artifact: SOURCE,
          normalized_scm_source_url: 'https://github.com/zalando-stups/fullstop',
          normalized_kio_scm_url: 'https://github.com/zalando-stups/hello-world',
        },
      ],
    ]);
  });

  it('report a Kio URL that does not parse', () => {
    expect(found(one({ kioApplication: { id: 'fullstop', scm_url: 'svn://example.org/fullstop' } }))).toEqual([
      [
        'SCM_URL_NOT_MATCH_WITH_KIO',
        {
          application_id: 'fullstop',
          deployment_artifact: SOURCE,
          normalized_scm_source_url: 'https://github.com/zalando-stups/fullstop',
          kio_scm_url: 'svn://example.org/fullstop',
          error_message: "'svn://example.org/fullstop' does not look like a valid git repository",
        },
      ],
    ]);
  });

  it('say nothing without scm-source, without a Kio application, or without hosts configured', () => {
    const other = { kioApplication: { id: 'x', scm_url: 'https://github.com/zalando/other' } };
    expect(found(one({ ...other, scmSource: null }))).toEqual([]);
    expect(found(one({ kioApplication: null }))).toEqual([]);
    expect(found(one(other), { ...RULES, scm_repository: {} })).toEqual([]);
    expect(found(one(other), { ...RULES, scm_repository: { ...RULES.scm_repository, enabled: false } })).toEqual([]);
    expect(found(one(other), { ...RULES, scm_url_not_match_with_kio: { enabled: false } })).toEqual([]);
  });
});
