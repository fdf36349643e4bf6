import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { testApp, bearer, TOKENS, draft, ACCOUNT_A, ACCOUNT_B, type TestApp } from './helpers.js';
import type { Page, Violation } from '../../src/shared/violation.js';

let t: TestApp;
const T0 = Date.parse('2015-04-14T19:09:01.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

async function list(query: string): Promise<Page<Violation>> {
  const res = await t.app.inject({ url: `/api/violations${query}`, headers: bearer(TOKENS.reader) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}
const ids = async (query: string) => (await list(query)).content.map((v) => v.event_id);
async function badRequest(query: string) {
  const res = await t.app.inject({ url: `/api/violations${query}`, headers: bearer(TOKENS.reader) });
  expect(res.statusCode, res.body).toBe(400);
  const body = res.json();
  expect(body).toMatchObject({ status: 400, error: 'Bad Request', path: '/api/violations' });
  return body.message as string;
}

beforeAll(async () => {
  t = await testApp();
  vi.useFakeTimers({ toFake: ['Date'] });
  // e1..e5 created one second apart from T0.
  const drafts = [
    draft({ eventId: 'e1', metaInfo: { ami_name: 'taupage', flag: true } }),
    draft({ eventId: 'e2', accountId: ACCOUNT_B, region: 'us-east-1', type: 'UNSECURED_ROOT_USER', instanceId: null }),
    draft({ eventId: 'e3', type: 'WRONG_AMI', applicationId: 'kio', applicationVersion: '1.0', instanceId: 'i-3' }),
    draft({ eventId: 'e4', type: 'EC2_WITH_KEYPAIR', metaInfo: ['a', 'list'] }),
    draft({ eventId: 'e5', accountId: ACCOUNT_B, type: 'PASSWORD_USED', metaInfo: null }),
  ];
  for (const [i, d] of drafts.entries()) {
    vi.setSystemTime(T0 + i * 1000);
    await t.store.insertViolations([d]);
  }
  vi.useRealTimers();
  await t.store.resolveViolation(5, 'done', 'alice', '*');
});
afterAll(() => t.close());

describe('GET /api/violations', () => {
  it('answers the Spring page envelope with snake_case DTOs, open violations by id ascending', async () => {
    const page = await list('');
    expect(page).toMatchObject({
      total_elements: 4,
      total_pages: 1,
      size: 10,
      number: 0,
      number_of_elements: 4,
      first: true,
      last: true,
    });
    expect(page.sort).toEqual([
      {
        direction: 'ASC',
        property: 'id',
        ignore_case: false,
        null_handling: 'NATIVE',
        ascending: true,
        descending: false,
      },
    ]);
    expect(page.content.map((v) => v.event_id)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(page.content[0]).toMatchObject({
      created: '2015-04-14T19:09:01.000Z',
      violation_type: { id: 'WRONG_REGION', violation_severity: 1 },
    });
    expect(Object.keys(page.content[0]!).sort()).toEqual(
      [
        'account_id',
        'application_id',
        'application_version_id',
        'comment',
        'created',
        'created_by',
        'event_id',
        'id',
        'instance_id',
        'last_modified',
        'last_modified_by',
        'meta_info',
        'plugin_fully_qualified_class_name',
        'region',
        'rule_id',
        'username',
        'version',
        'violation_type',
      ].sort(),
    );
    expect(page.content[3]!.meta_info).toEqual(['a', 'list']);
  });

  it('filters accounts given comma-separated or repeated', async () => {
    expect(await ids(`?accounts=${ACCOUNT_B}`)).toEqual(['e2']);
    expect(await ids(`?accounts=${ACCOUNT_A},${ACCOUNT_B}`)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(await ids(`?accounts=${ACCOUNT_B}&accounts=${ACCOUNT_A}`)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(await ids('?accounts=999999999999')).toEqual([]);
  });

  it('treats from and to as strict bounds, with any fraction and offset', async () => {
    expect(await ids(`?from=${iso(T0 + 1000)}`)).toEqual(['e3', 'e4']);
    expect(await ids(`?from=${iso(T0 + 999)}`)).toEqual(['e2', 'e3', 'e4']);
    expect(await ids(`?to=${iso(T0 + 1000)}`)).toEqual(['e1']);
    // Joda-Time drops digits past the millisecond: to=…02.000001Z is …02.000, which excludes e2.
    expect(await ids(`?to=${iso(T0 + 1000).replace('Z', '001Z')}`)).toEqual(['e1']);
    expect(await ids(`?from=${iso(T0)}&to=${iso(T0 + 3000)}`)).toEqual(['e2', 'e3']);
    expect(await ids('?from=2015-04-14T21:09:01.500%2B02:00')).toEqual(['e2', 'e3', 'e4']);
    expect(await ids('?from=2015-04-14T21:09:02.000%2B02:00')).toEqual(['e3', 'e4']);
    expect(await ids('?from=2015-04-14T19:09:02.000123Z')).toEqual(['e3', 'e4']);
    expect(await ids('?to=2015-04-14T19:09:02')).toEqual(['e1']);
  });

  it('treats last-violation as an inclusive lower id bound', async () => {
    expect(await ids('?last-violation=3')).toEqual(['e3', 'e4']);
  });

  it('has the tri-state checked/whitelisted, whitelisted winning', async () => {
    expect(await ids('?checked=true')).toEqual(['e5']);
    expect(await ids('?checked=false')).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(await ids('?checked=TRUE&whitelisted=false')).toEqual(['e5']);
    expect(await ids('?whitelisted=true')).toEqual([]);
    expect(await ids('?whitelisted=true&checked=true')).toEqual([]);
  });

  it('filters by type attributes and merges type with types', async () => {
    expect(await ids('?severity=4')).toEqual(['e2']);
    expect(await ids('?min-severity=3')).toEqual(['e2', 'e3']);
    expect(await ids('?priority=4')).toEqual(['e4']);
    expect(await ids('?audit-relevant=false')).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(await ids('?audit-relevant=true')).toEqual([]);
    expect(await ids('?type=WRONG_AMI')).toEqual(['e3']);
    expect(await ids('?types=WRONG_AMI,EC2_WITH_KEYPAIR')).toEqual(['e3', 'e4']);
    expect(await ids('?types=WRONG_AMI&type=WRONG_REGION')).toEqual(['e1', 'e3']);
    expect(await ids('?types=WRONG_AMI&types=UNSECURED_ROOT_USER&severity=4')).toEqual(['e2']);
  });

  it('filters applications, versions, regions, instance ids and meta', async () => {
    expect(await ids('?application-ids=kio')).toEqual(['e3']);
    expect(await ids('?application-version-ids=1.0,2.0')).toEqual(['e3']);
    expect(await ids('?regions=us-east-1')).toEqual(['e2']);
    expect(await ids('?instance-ids=i-3,i-9')).toEqual(['e3']);
    expect(await ids('?meta=ami_name=taupage')).toEqual(['e1']);
    expect(await ids('?meta=ami_name=taupage,flag=true')).toEqual(['e1']);
    expect(await ids('?meta=ami_name=taupage&meta=flag=false')).toEqual([]);
    expect(await ids('?meta=0=a')).toEqual([]);
  });

  it('pages with page and size, clamps size to 2000, and sorts by entity properties', async () => {
    const second = await list('?page=1&size=3');
    expect(second).toMatchObject({
      total_elements: 4,
      total_pages: 2,
      size: 3,
      number: 1,
      number_of_elements: 1,
      first: false,
      last: true,
    });
    expect(second.content.map((v) => v.event_id)).toEqual(['e4']);
    expect((await list('?page=7&size=3')).content).toEqual([]);
    expect((await list('?size=5000')).size).toBe(2000);
    expect(await ids('?sort=id,DESC')).toEqual(['e4', 'e3', 'e2', 'e1']);
    expect(await ids('?sort=id,desc')).toEqual(['e4', 'e3', 'e2', 'e1']);
    expect(await ids('?sort=accountId,desc&sort=created,desc')).toEqual(['e2', 'e4', 'e3', 'e1']);
    expect(await ids('?sort=accountId,created,desc')).toEqual(['e2', 'e4', 'e3', 'e1']);
    expect(await ids('?sort=instanceId')).toEqual(['e1', 'e4', 'e3', 'e2']);
    expect(await ids('?sort=instanceId,desc')).toEqual(['e2', 'e3', 'e1', 'e4']);
    expect(await ids('?sort=violationTypeEntity.id')).toEqual(['e4', 'e2', 'e3', 'e1']);
    expect((await list('?sort=created,desc&sort=id')).sort.map((s) => `${s.property}:${s.direction}`)).toEqual([
      'created:DESC',
      'id:ASC',
    ]);
    const empty = await list('?accounts=000000000000');
    expect(empty).toMatchObject({ total_elements: 0, total_pages: 0, first: true, last: true, content: [] });
  });

  it('ignores parameters it does not know, as the original client sends some', async () => {
    expect(await ids('?applications=x&application_versions=y')).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  it('answers 400 naming the bad parameter', async () => {
    expect(await badRequest('?size=abc')).toBe("query parameter 'size' must be integer");
    expect(await badRequest('?severity=high')).toBe("query parameter 'severity' must be integer");
    expect(await badRequest('?last-violation=x')).toBe("query parameter 'last-violation' must be integer");
    expect(await badRequest('?checked=maybe')).toBe("query parameter 'checked' must be true or false");
    expect(await badRequest('?from=yesterday')).toMatch(/^query parameter 'from' must be an ISO-8601 date-time/);
    expect(await badRequest('?to=2015-02-30T00:00:00Z')).toBe("to: not a valid date-time: '2015-02-30T00:00:00Z'");
    expect(await badRequest('?sort=nope,desc')).toMatch(
      /^sort: unknown property 'nope'; sortable: id, version, created/,
    );
    expect(await badRequest('?sort=id,sideways')).toMatch(/^sort: unknown property 'sideways'/);
    expect(await badRequest('?meta=novalue')).toBe("meta: expected key=value, got 'novalue'");
  });
});

describe('GET /api/violations/{id}', () => {
  it('answers the violation or 404', async () => {
    const res = await t.app.inject({ url: '/api/violations/3', headers: bearer(TOKENS.reader) });
    expect(res.json()).toMatchObject({ id: 3, event_id: 'e3', application_id: 'kio', application_version_id: '1.0' });
    const missing = await t.app.inject({ url: '/api/violations/999', headers: bearer(TOKENS.reader) });
    expect([missing.statusCode, missing.json().message]).toEqual([404, 'violation 999 not found']);
    const bad = await t.app.inject({ url: '/api/violations/abc', headers: bearer(TOKENS.reader) });
    expect([bad.statusCode, bad.json().message]).toEqual([400, "path parameter 'id' must be integer"]);
  });
});

describe('GET /api/violation-types', () => {
  it('lists the 31 original types, CLOUDTRAIL_TAMPERING, and types created by new violations', async () => {
    const res = await t.app.inject({ url: '/api/violation-types', headers: bearer(TOKENS.reader) });
    const types = res.json() as Array<{ id: string }>;
    expect(types).toHaveLength(32);
    expect(types.find((x) => x.id === 'WRONG_REGION')).toMatchObject({
      audit_relevant: false,
      title: 'EC2 instance in illegal region',
      priority: 2,
    });
  });
});

describe('GET /api/violation-count', () => {
  const count = async (url: string) => (await t.app.inject({ url, headers: bearer(TOKENS.reader) })).json();

  it('counts per account and type with strict bounds', async () => {
    expect(await count('/api/violation-count')).toEqual([
      { account: ACCOUNT_A, type: 'EC2_WITH_KEYPAIR', quantity: 1 },
      { account: ACCOUNT_A, type: 'WRONG_AMI', quantity: 1 },
      { account: ACCOUNT_A, type: 'WRONG_REGION', quantity: 1 },
      { account: ACCOUNT_B, type: 'UNSECURED_ROOT_USER', quantity: 1 },
    ]);
    expect(await count(`/api/violation-count?accounts=${ACCOUNT_B}&resolved=true`)).toEqual([
      { account: ACCOUNT_B, type: 'PASSWORD_USED', quantity: 1 },
    ]);
    expect(await count(`/api/violation-count?from=${iso(T0)}&to=${iso(T0 + 2000)}`)).toEqual([
      { account: ACCOUNT_B, type: 'UNSECURED_ROOT_USER', quantity: 1 },
    ]);
  });

  it('counts one account per application version and type with inclusive bounds', async () => {
    expect(await count(`/api/violation-count/${ACCOUNT_A}?from=${iso(T0)}&to=${iso(T0 + 2000)}`)).toEqual([
      { application: 'kio', version: '1.0', type: 'WRONG_AMI', quantity: 1 },
      { application: null, version: null, type: 'WRONG_REGION', quantity: 1 },
    ]);
    const bad = await t.app.inject({ url: '/api/violation-count?resolved=perhaps', headers: bearer(TOKENS.reader) });
    expect([bad.statusCode, bad.json().message]).toEqual([400, "query parameter 'resolved' must be true or false"]);
  });
});
