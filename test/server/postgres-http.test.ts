/**
 * The HTTP API over PostgreSQL answers what it answers over SQLite: two real apps, one per store, get the same
 * data (same times, through the store and straight into the database) and the same requests, and every answer
 * must match (the seeded types' own timestamps aside: each store stamps them when it migrates). Over PostgreSQL
 * the list's JSON fast path must also answer byte for byte what the DTO path and fastify's serialiser answer.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { buildApp } from '../../src/server/http/app.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import { DEFAULT_CONFIG, bearer, TOKENS, draft, ACCOUNT_A, ACCOUNT_B } from './helpers.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from '../store/pg.js';

const T0 = Date.parse('2015-04-14T19:09:01.000Z');
let dir: string;
let schema: TestSchema;
const stores: Record<'sqlite' | 'postgres', ViolationStore> = {} as never;
const apps: Record<'sqlite' | 'postgres' | 'postgresDto', FastifyInstance> = {} as never;

/** The same store without its JSON fast path: the route falls back to DTOs and fastify's serialiser. */
const withoutFastPath = (target: ViolationStore): ViolationStore =>
  new Proxy(target, {
    get: (t, key, receiver) => (key === 'listViolationsJson' ? undefined : Reflect.get(t, key, receiver)),
  });

/** Rows only a foreign writer would leave: not JSON, spaced JSON, times before 1970 and outside years 0–9999. */
const FOREIGN_ROWS: Array<[string, string, string | null, number, number | null, string | null, number]> = [
  ['not-json', ACCOUNT_A, 'this is {not json', Date.parse('2015-04-14T19:09:01.999Z'), null, null, 3],
  ['json-with-spaces', ACCOUNT_A, '{ "a" : [ 1, 2 ], "n": 1.50 }', 1, 0, 'someone', 0],
  ['before-1970', ACCOUNT_A, '""', -1, -86_400_001, null, 0],
  ['out-of-range', ACCOUNT_A, null, Date.UTC(-1, 0, 1), 253_402_300_800_000, null, 0],
  ['millis', ACCOUNT_B, '[]', 1_429_038_541_001, 1_429_038_541_999, null, 1],
];
const FOREIGN_INSERT = (p: (i: number) => string) =>
  `INSERT INTO violation (event_id, account_id, region, meta_info, violation_type_entity_id, created, last_modified, created_by, version)
   VALUES (${p(1)}, ${p(2)}, 'eu-west-1', ${p(3)}, 'WRONG_REGION', ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)})`;

async function fill(store: ViolationStore): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    const drafts = [
      draft({ eventId: 'e1', metaInfo: { ami_name: 'taupage', flag: true, n: 2.5 } }),
      draft({
        eventId: 'e2',
        accountId: ACCOUNT_B,
        region: 'us-east-1',
        type: 'UNSECURED_ROOT_USER',
        instanceId: null,
      }),
      draft({ eventId: 'e3', type: 'WRONG_AMI', applicationId: 'kio', applicationVersion: '1.0', instanceId: 'i-3' }),
      draft({ eventId: 'e4', type: 'EC2_WITH_KEYPAIR', metaInfo: ['a', 'list'], username: 'ünïcødé 😀' }),
      draft({ eventId: 'e5', accountId: ACCOUNT_B, type: 'PASSWORD_USED', metaInfo: null }),
      draft({ eventId: 'e6', type: 'WRONG_AMI', applicationId: 'kio', applicationVersion: '2.0', instanceId: 'i-6' }),
      draft({ eventId: 'e7', type: 'BRAND_NEW_TYPE', metaInfo: 'just text "quoted"', applicationId: 'zeta' }),
      draft({ eventId: 'quotes "\\ /\ttabs\nnewlines\u0001\u007f\u2028', accountId: ACCOUNT_B, instanceId: null }),
    ];
    for (const [i, d] of drafts.entries()) {
      vi.setSystemTime(T0 + i * 1000);
      await store.insertViolations([d]);
    }
    vi.setSystemTime(T0 + 10_000);
    await store.resolveViolation(5, 'done', 'alice', '*');
    await store.resolveViolation(2, 'first', 'alice', '*');
    await store.resolveViolation(2, 'fixed "it"\n', 'bob', '*');
    await store.createWhitelistingRule({ reason: 'quiet', accountId: ACCOUNT_B, region: 'us-east-1' }, 'admin');
    vi.setSystemTime(T0 + 11_000);
    await store.insertViolations([draft({ eventId: 'w1', accountId: ACCOUNT_B, region: 'us-east-1' })]);
    await store.commitFile({ source: 'file:///logs', key: 'a.json', fingerprint: 'f', records: 2, badRecords: 1 }, []);
    await store.recordIngestFailure({ source: 'file:///logs', key: 'b.json', fingerprint: 'g', reason: 'not JSON' });
  } finally {
    vi.useRealTimers();
  }
}

/** An answer with the seeded types' timestamps taken out, wherever a type appears. */
function comparable(body: string): unknown {
  return JSON.parse(body, (key, value: unknown) => {
    if (value !== null && typeof value === 'object' && 'audit_relevant' in value && 'help_text' in value) {
      const { created: _c, last_modified: _m, ...rest } = value as Record<string, unknown>;
      return rest;
    }
    return value;
  });
}

const GETS = [
  '/api/violations',
  '/api/violations?size=50&sort=id,DESC',
  '/api/violations?size=3&page=1&sort=id,DESC',
  '/api/violations?size=3&page=99',
  '/api/violations?checked=true',
  '/api/violations?whitelisted=true',
  `/api/violations?accounts=${ACCOUNT_B}&sort=created,DESC`,
  `/api/violations?accounts=${ACCOUNT_A},${ACCOUNT_B}&type=WRONG_AMI&type=WRONG_REGION`,
  '/api/violations?type=WRONG_REGION&sort=lastModified,ASC',
  '/api/violations?sort=username,DESC&sort=instanceId,ASC',
  '/api/violations?sort=application.name,DESC&sort=eventId&size=2000',
  '/api/violations?sort=comment&sort=accountId,desc',
  '/api/violations?severity=0',
  '/api/violations?min-severity=2&priority=1',
  '/api/violations?audit-relevant=false&size=5',
  '/api/violations?types=NO_SUCH_TYPE',
  '/api/violations?meta=ami_name=taupage',
  '/api/violations?meta=flag=true&meta=n=2.5',
  '/api/violations?regions=us-east-1&checked=true',
  '/api/violations?instance-ids=i-3,i-6',
  '/api/violations?application-ids=kio&application-version-ids=2.0',
  '/api/violations?from=2015-04-14T19:09:01.000Z&to=2100-01-01T00:00:00.000Z',
  '/api/violations?from=2015-04-14T19:09:02.500Z&to=2015-04-14T19:09:05.000Z',
  '/api/violations?last-violation=5&size=2',
  '/api/violations/3',
  '/api/violations/999',
  '/api/violation-types',
  '/api/violation-count',
  '/api/violation-count?resolved=true',
  `/api/violation-count?accounts=${ACCOUNT_B}&whitelisted=true`,
  '/api/violation-count?from=2015-04-14T19:09:02.000Z&to=2015-04-14T19:09:06.000Z',
  `/api/violation-count/${ACCOUNT_A}`,
  `/api/violation-count/${ACCOUNT_A}?from=2015-04-14T19:09:02.000Z&to=2015-04-14T19:09:05.000Z`,
  '/api/whitelisting-rules',
  '/api/whitelisting-rules/1',
  '/api/ingest/failures',
];

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('HTTP API over PostgreSQL'), () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fullstop-pg-http-'));
    schema = testSchema();
    stores.sqlite = await openStore(`sqlite:${join(dir, 'fullstop.db')}`);
    stores.postgres = await openStore(schema.url);
    const auth = createAuthenticator({ tokens: DEFAULT_CONFIG.auth?.tokens });
    const app = (store: ViolationStore) => buildApp({ store, auth, config: DEFAULT_CONFIG, logger: false });
    apps.sqlite = app(stores.sqlite);
    apps.postgres = app(stores.postgres);
    apps.postgresDto = app(withoutFastPath(stores.postgres));
    await Promise.all(Object.values(apps).map((a) => a.ready()));
    await fill(stores.sqlite);
    await fill(stores.postgres);
    const sqlite = new Database(join(dir, 'fullstop.db'));
    for (const row of FOREIGN_ROWS) sqlite.prepare(FOREIGN_INSERT(() => '?')).run(...row);
    sqlite.close();
    for (const row of FOREIGN_ROWS)
      await schema.query(
        FOREIGN_INSERT((i) => `$${i}`),
        row,
      );
  });
  afterAll(async () => {
    await Promise.all(Object.values(apps).map((a) => a.close()));
    await Promise.all(Object.values(stores).map((s) => s.close()));
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (app: FastifyInstance, url: string) => app.inject({ url, headers: bearer(TOKENS.admin) });

  it.each(GETS)('answers as over SQLite: GET %s', async (url) => {
    const [sqlite, postgres, dto] = [
      await get(apps.sqlite, url),
      await get(apps.postgres, url),
      await get(apps.postgresDto, url),
    ];
    expect(postgres.statusCode, postgres.body).toBe(sqlite.statusCode);
    expect(comparable(postgres.body)).toEqual(comparable(sqlite.body));
    expect(postgres.body).toBe(dto.body);
    expect(postgres.headers['content-type']).toBe(dto.headers['content-type']);
  });

  it('covers the awkward rows (the comparisons above are not vacuous)', async () => {
    const content = (await get(apps.postgres, '/api/violations?size=100')).json().content as Array<
      Record<string, unknown>
    >;
    const byEvent = new Map(content.map((v) => [v.event_id, v]));
    expect(byEvent.size).toBe(11);
    expect(byEvent.get('not-json')).toMatchObject({ meta_info: { data: 'this is {not json' }, version: 3 });
    expect(byEvent.get('json-with-spaces')).toMatchObject({ meta_info: { a: [1, 2], n: 1.5 } });
    expect(byEvent.get('out-of-range')).toMatchObject({
      created: '-000001-01-01T00:00:00.000Z',
      last_modified: '+010000-01-01T00:00:00.000Z',
    });
    expect(byEvent.get('e7')).toMatchObject({ violation_type: { id: 'BRAND_NEW_TYPE', violation_severity: 0 } });
    const whitelisted = (await get(apps.postgres, '/api/violations?whitelisted=true')).json().content;
    expect(whitelisted).toMatchObject([{ event_id: 'w1', rule_id: 1 }]);
  });

  it('writes as over SQLite: submit, resolve, and the whitelisting rule life cycle', async () => {
    // Rule times differ between the two (PostgreSQL expires rules by its own clock); statuses must not.
    const both = async (request: InjectOptions) => {
      const [sqlite, postgres] = [await apps.sqlite.inject(request), await apps.postgres.inject(request)];
      expect(postgres.statusCode, postgres.body).toBe(sqlite.statusCode);
      return [sqlite, postgres] as const;
    };
    const headers = { ...bearer(TOKENS.admin), 'content-type': 'application/json' };
    const reader = bearer(TOKENS.admin);
    const body = {
      event_id: 'posted',
      account_id: ACCOUNT_A,
      region: 'eu-west-1',
      violation_type: 'NEW_BY_POST',
      meta_info: { x: 1 },
    };
    await both({ method: 'POST', url: '/api/violations', headers, payload: body });
    await both({ method: 'POST', url: '/api/violations', headers, payload: body });
    const [sqlitePosted, postgresPosted] = await both({ url: '/api/violations?types=NEW_BY_POST', headers: reader });
    expect(postgresPosted.json().total_elements).toBe(1);
    const id = postgresPosted.json().content[0].id as number;
    expect(sqlitePosted.json().content[0].id).toBe(id);
    const [, resolved] = await both({
      method: 'POST',
      url: `/api/violations/${id}/resolution`,
      headers: { ...bearer(TOKENS.admin), 'content-type': 'text/plain' },
      payload: 'checked by hand',
    });
    expect(resolved.json()).toMatchObject({ id, comment: 'checked by hand', last_modified_by: 'admin', version: 1 });
    const rule = { reason: 'temporary', account_id: ACCOUNT_A, violation_type: 'WRONG_AMI' };
    const [, created] = await both({ method: 'POST', url: '/api/whitelisting-rules', headers, payload: rule });
    expect(created.statusCode).toBe(201);
    const ruleId = created.json().id as number;
    const [, replaced] = await both({
      method: 'PUT',
      url: `/api/whitelisting-rules/${ruleId}`,
      headers,
      payload: rule,
    });
    expect(replaced.json()).toMatchObject({ id: ruleId + 1, reason: 'temporary' });
    const [, deleted] = await both({ method: 'DELETE', url: `/api/whitelisting-rules/${ruleId + 1}`, headers: reader });
    expect(deleted.statusCode).toBe(204);
    const [, inPast] = await both({ method: 'DELETE', url: `/api/whitelisting-rules/${ruleId}`, headers: reader });
    expect(inPast.statusCode).toBe(404);
    const [, unknownType] = await both({
      method: 'POST',
      url: '/api/whitelisting-rules',
      headers,
      payload: { reason: 'x', violation_type: 'NO_SUCH_TYPE' },
    });
    expect(unknownType.statusCode).toBeGreaterThanOrEqual(400);
    const [sqliteRules, postgresRules] = await both({ url: '/api/whitelisting-rules', headers: reader });
    const shape = (r: Array<Record<string, unknown>>) =>
      r.map(({ id, reason, version, violation_type_entity_id }) => ({ id, reason, version, violation_type_entity_id }));
    expect(shape(postgresRules.json())).toEqual(shape(sqliteRules.json()));
  });
});
