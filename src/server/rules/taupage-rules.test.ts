import { describe, expect, it } from 'vitest';
import {
  cleanInstance,
  evaluate,
  factsFor,
  fixtureEvent,
  ofType,
  RULES,
  TAUPAGE,
  TAUPAGE_AMI,
} from '../../../test/enrich/rule-facts.js';

const run = fixtureEvent('scm-repository--run-instance-record'); // i-affenbanane, ami-amishppl
const start = fixtureEvent('application-lifecycle--record-start');
const ID = 'i-affenbanane';
const one = (overrides: Parameters<typeof cleanInstance>[0]) => factsFor({ [ID]: cleanInstance(overrides) });

describe('WRONG_AMI', () => {
  it('reports an AMI that is not a Taupage AMI by name or owner, or cannot be resolved, with its details', () => {
    const cases = [
      [{ image: { ...TAUPAGE_AMI, name: 'ubuntu-22.04' } }, { ami_owner_id: '999999999999', ami_name: 'ubuntu-22.04' }],
      [
        { image: { ...TAUPAGE_AMI, ownerId: '123456789012' } },
        { ami_owner_id: '123456789012', ami_name: TAUPAGE_AMI.name },
      ],
      [{ image: null }, { ami_owner_id: '', ami_name: '' }],
    ] as const;
    for (const [overrides, meta] of cases) {
      const drafts = ofType(evaluate(run, one({ ...overrides, taupage: null })), 'WRONG_AMI');
      expect(drafts).toEqual([
        expect.objectContaining({
          instanceId: ID,
          accountId: '123456789111',
          region: 'eu-west-1',
          eventId: '21cad05b-d412-4ef5-b238-1b01a08a595c',
          username: 'arn:aws:iam::123456789111:root',
          metaInfo: { ...meta, ami_id: 'ami-amishppl' },
        }),
      ]);
    }
    const unknownId = ofType(evaluate(run, one({ amiId: null, image: null, taupage: null })), 'WRONG_AMI');
    expect(unknownId[0]?.metaInfo).toEqual({ ami_owner_id: '', ami_id: '', ami_name: '' });
  });

  it('accepts Taupage AMIs and approved AMI ids, and honours a configured name prefix', () => {
    expect(ofType(evaluate(run, one({})), 'WRONG_AMI')).toEqual([]);
    const other = one({ image: { ...TAUPAGE_AMI, name: 'Golden-1' } });
    expect(ofType(evaluate(run, other), 'WRONG_AMI')).toHaveLength(1);
    const approved = { ...RULES, wrong_ami: { owners: ['999999999999'], approved_ids: ['ami-amishppl'] } };
    expect(ofType(evaluate(run, other, approved), 'WRONG_AMI')).toEqual([]);
    const prefixed = { ...RULES, wrong_ami: { owners: ['999999999999'], name_prefix: 'Golden-' } };
    expect(ofType(evaluate(run, other, prefixed), 'WRONG_AMI')).toEqual([]);
  });

  it('says nothing without look-ups, without AWS, without Taupage owners, or on StartInstances', () => {
    expect(evaluate(run, undefined)).toEqual([]);
    expect(evaluate(run, factsFor({}))).toEqual([]);
    const wrong = one({ image: null, taupage: null });
    expect(evaluate(run, wrong, RULES, {})).toEqual([]);
    expect(ofType(evaluate(run, wrong, { ...RULES, wrong_ami: {} }), 'WRONG_AMI')).toEqual([]);
    expect(ofType(evaluate(start, wrong), 'WRONG_AMI')).toEqual([]);
    expect(
      ofType(evaluate(run, wrong, { ...RULES, wrong_ami: { owners: ['999999999999'], enabled: false } }), 'WRONG_AMI'),
    ).toEqual([]);
  });
});

describe('MISSING_USER_DATA, MISSING_APPLICATION_ID_IN_USER_DATA, MISSING_SOURCE_IN_USER_DATA', () => {
  const types = (facts: ReturnType<typeof one>) =>
    evaluate(run, facts)
      .filter((d) => d.type.startsWith('MISSING_'))
      .map((d) => [d.type, d.instanceId, d.metaInfo]);

  it('report a Taupage instance without user data, and nothing else about it', () => {
    expect(types(one({ taupage: null, application: undefined }))).toEqual([['MISSING_USER_DATA', ID, null]]);
  });

  it('report user data without application_id and without source, both at once', () => {
    const empty = { application_id: null, application_version: null, runtime: null, source: null };
    expect(types(one({ taupage: empty }))).toEqual([
      ['MISSING_APPLICATION_ID_IN_USER_DATA', ID, null],
      ['MISSING_SOURCE_IN_USER_DATA', ID, null],
    ]);
    expect(types(one({ taupage: { ...TAUPAGE, source: null } }))).toEqual([['MISSING_SOURCE_IN_USER_DATA', ID, null]]);
    expect(types(one({ taupage: { ...TAUPAGE, application_version: null } }))).toEqual([]);
  });

  it('say nothing about other AMIs or when the user data was not looked up', () => {
    expect(types(one({ image: { ...TAUPAGE_AMI, name: 'ubuntu' }, taupage: null }))).toEqual([]);
    expect(types(one({ taupage: undefined }))).toEqual([]);
  });
});

describe('EC2_WITH_A_SNAPSHOT_IMAGE', () => {
  it('reports a source ending in -SNAPSHOT on RunInstances and StartInstances', () => {
    const snapshot = { ...TAUPAGE, source: 'pierone.example.org/stups/fullstop:1.0-SNAPSHOT' };
    for (const event of [run, start]) {
      expect(ofType(evaluate(event, one({ taupage: snapshot })), 'EC2_WITH_A_SNAPSHOT_IMAGE')).toEqual([
        expect.objectContaining({ instanceId: ID, metaInfo: { deployment_artifact: snapshot.source } }),
      ]);
    }
  });

  it('ignores other sources', () => {
    for (const source of ['x:1.0-snapshot', 'x:1.0-SNAPSHOT-2', 'x:1.0', null])
      expect(ofType(evaluate(run, one({ taupage: { ...TAUPAGE, source } })), 'EC2_WITH_A_SNAPSHOT_IMAGE')).toEqual([]);
  });
});

describe('violations about instances', () => {
  it('EC2_WITH_KEYPAIR carries the AMI owner and name when they were looked up', () => {
    const event = fixtureEvent('region--responseElements'); // i-abf9ac4f, key kmeier, ami-234ecc54
    const image = { id: 'ami-234ecc54', name: 'Taupage-AMI-1', ownerId: '999999999999' };
    const facts = factsFor({ 'i-abf9ac4f': { amiId: 'ami-234ecc54', image, taupage: null } });
    expect(ofType(evaluate(event, facts), 'EC2_WITH_KEYPAIR')[0]?.metaInfo).toEqual({
      key_name: 'kmeier',
      ami_owner_id: '999999999999',
      ami_id: 'ami-234ecc54',
      ami_name: 'Taupage-AMI-1',
    });
    expect(ofType(evaluate(event, undefined), 'EC2_WITH_KEYPAIR')[0]?.metaInfo).toEqual({
      key_name: 'kmeier',
      ami_owner_id: '',
      ami_id: 'ami-234ecc54',
      ami_name: '',
    });
  });

  it('carry the application and version of the instance, from the user data or else the tags', () => {
    const event = fixtureEvent('region--run-instance-us-west');
    const fromTaupage = evaluate(event, one({ image: null, application: { id: 'fullstop', version: '1.0' } }));
    expect(fromTaupage.map((d) => [d.type, d.applicationId, d.applicationVersion])).toEqual([
      ['WRONG_REGION', 'fullstop', '1.0'],
      ['WRONG_AMI', 'fullstop', '1.0'],
    ]);
    const fromTags = evaluate(event, one({ taupage: null, image: null, application: { id: 'shop', version: null } }));
    expect(fromTags.map((d) => [d.applicationId, d.applicationVersion])).toEqual([
      ['shop', null],
      ['shop', null],
    ]);
    expect(evaluate(event, undefined).map((d) => [d.type, d.applicationId])).toEqual([['WRONG_REGION', null]]);
  });
});
