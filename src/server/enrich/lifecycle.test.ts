import { describe, expect, it } from 'vitest';
import { cleanInstance, factsFor, fixtureEvent } from '../../../test/enrich/rule-facts.js';
import { NO_FACTS } from './facts.js';
import { lifecycleRecords } from './lifecycle.js';

const ID = 'i-affenbanane';
const facts = factsFor({ [ID]: cleanInstance() });

describe('lifecycleRecords', () => {
  it('dates RunInstances by the launch time and the other events by the event time', () => {
    const expected = {
      accountId: '123456789111',
      region: 'eu-west-1',
      instanceId: ID,
      imageId: 'ami-amishppl',
      imageName: 'Taupage-AMI-20150618',
      applicationId: 'fullstop',
      applicationVersion: '1.0',
    };
    const run = fixtureEvent('application-lifecycle--record-run');
    expect(lifecycleRecords({ event: run, facts })).toEqual([
      { ...expected, eventType: 'RunInstances', eventId: run.eventID, eventDate: '2015-06-18T08:31:46.000Z' },
    ]);
    for (const name of ['start', 'stop'] as const) {
      const event = fixtureEvent(`application-lifecycle--record-${name}`);
      expect(lifecycleRecords({ event, facts })).toEqual([
        {
          ...expected,
          eventType: event.eventName,
          eventId: event.eventID,
          eventDate: new Date(event.eventTime!).toISOString(),
        },
      ]);
    }
  });

  it('covers every instance of a termination, with the AMI id looked up when the event lacks it', () => {
    const event = fixtureEvent('application-lifecycle--record-termination'); // two instances, no imageId
    const records = lifecycleRecords({
      event,
      facts: factsFor({
        'i-1a2b3c4d': { amiId: 'ami-1', image: null, application: { id: 'a', version: '1' } },
        'i-111bbb33': { amiId: null, image: null, application: { id: 'b', version: '2' } },
      }),
    });
    expect(
      records.map((r) => [r.eventType, r.instanceId, r.accountId, r.region, r.imageId, r.imageName, r.applicationId]),
    ).toEqual([
      ['TerminateInstances', 'i-1a2b3c4d', '111122223333', 'us-east-1', 'ami-1', null, 'a'],
      ['TerminateInstances', 'i-111bbb33', '111122223333', 'us-east-1', null, null, 'b'],
    ]);
  });

  it('skips instances without application or version, broken records and other events', () => {
    const run = fixtureEvent('application-lifecycle--record-run');
    expect(
      lifecycleRecords({
        event: run,
        facts: factsFor({ [ID]: cleanInstance({ application: { id: 'a', version: null } }) }),
      }),
    ).toEqual([]);
    expect(lifecycleRecords({ event: run, facts: NO_FACTS })).toEqual([]);
    expect(lifecycleRecords({ event: fixtureEvent('application-lifecycle--record-broken'), facts })).toEqual([]);
    expect(lifecycleRecords({ event: fixtureEvent('unapproved-services-and-role--record'), facts })).toEqual([]);
    expect(lifecycleRecords({ event: { ...run, errorCode: 'Client.InvalidParameterValue' }, facts })).toEqual([]);
  });
});
