/**
 * The list route's fast path (the store writes the page JSON in SQL) must answer exactly the bytes that the DTO
 * path and fastify's schema serialiser answer. Two real apps over the same store, one with the fast path hidden,
 * are asked the same questions over awkward data written through the API and straight into the database.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/http/app.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import { migrate } from '../../src/server/store/sqlite-migrate.js';
import {
  installJsonSupport,
  writeTypeJson,
  VIOLATION_JSON,
  MissingTypeJsonError,
} from '../../src/server/store/sqlite-json.js';
import { toViolationType, type ViolationTypeRow } from '../../src/server/store/sqlite-rows.js';
import { RowJsonCache } from '../../src/server/store/sqlite-json-cache.js';
import { DEFAULT_CONFIG, bearer, TOKENS, draft, ACCOUNT_A, ACCOUNT_B } from './helpers.js';

let dir: string;
let store: ViolationStore;
let fast: FastifyInstance;
let slow: FastifyInstance;

/** The same store without its JSON fast path: the route falls back to DTOs and fastify's serialiser. */
function withoutFastPath(target: ViolationStore): ViolationStore {
  return new Proxy(target, {
    get: (t, key, receiver) => (key === 'listViolationsJson' ? undefined : Reflect.get(t, key, receiver)),
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-list-json-'));
  const path = join(dir, 'fullstop.db');
  store = await openStore(`sqlite:${path}`);
  expect(store.listViolationsJson).toBeTypeOf('function');
  const auth = createAuthenticator({ tokens: DEFAULT_CONFIG.auth?.tokens });
  fast = buildApp({ store, auth, config: DEFAULT_CONFIG, logger: false });
  slow = buildApp({ store: withoutFastPath(store), auth, config: DEFAULT_CONFIG, logger: false });
  await Promise.all([fast.ready(), slow.ready()]);

  await store.insertViolations([
    draft({ eventId: 'plain' }),
    draft({
      eventId: 'quotes "\\ / and\ttabs\nnewlines\u0001\u001f\u007f\u2028',
      accountId: ACCOUNT_B,
      instanceId: null,
      username: 'ünïcødé 😀',
    }),
    draft({ eventId: 'meta-list', metaInfo: ['a', 1, 2.5, -0, 1e21, true, null, { nested: { deep: 'x"y' } }] }),
    draft({ eventId: 'meta-string', metaInfo: 'just text "quoted"' }),
    draft({ eventId: 'meta-number', metaInfo: 42 }),
    draft({ eventId: 'meta-null', metaInfo: null, applicationId: 'kio', applicationVersion: '1.0' }),
    draft({ eventId: 'meta-undefined', metaInfo: undefined, type: 'BRAND_NEW_TYPE' }),
    draft({ eventId: 'meta-unicode', metaInfo: { ключ: 'значение', emoji: '🎉', ctl: '\u0000\b\f' } }),
    draft({ eventId: 'resolved', type: 'WRONG_AMI' }),
  ]);
  await store.resolveViolation(9, 'fixed "it"\n', 'alice', '*');
  await store
    .createWhitelistingRule(
      { reason: 'test', accountId: ACCOUNT_A, region: 'eu-west-1', violationType: 'EC2_WITH_KEYPAIR' } as never,
      'admin',
    )
    .catch(() => undefined);

  // Rows no code path of ours writes, but an older or foreign writer might have: a second connection.
  const other = new Database(path);
  const insert = other.prepare(
    `INSERT INTO violation (event_id, account_id, region, meta_info, violation_type_entity_id, created, last_modified, created_by, version)
     VALUES (?, ?, 'eu-west-1', ?, 'WRONG_REGION', ?, ?, ?, ?)`,
  );
  insert.run('not-json', ACCOUNT_A, 'this is {not json', Date.parse('2015-04-14T19:09:01.999Z'), null, null, 3);
  insert.run('json-with-spaces', ACCOUNT_A, '{ "a" : [ 1, 2 ] }', 1, 0, 'someone', 0);
  insert.run('before-1970', ACCOUNT_A, '""', -1, -86_400_001, null, 0);
  // Outside SQLite's date range (years 0–9999) on both sides; the default `to` (now) would hide a future `created`.
  insert.run('out-of-range', ACCOUNT_A, null, Date.UTC(-1, 0, 1), 253_402_300_800_000, null, 0);
  insert.run('edge-of-range', ACCOUNT_A, null, Date.parse('0000-01-01T00:00:00.000Z'), 253_402_300_799_999, null, 0);
  insert.run('millis', ACCOUNT_B, '[]', 1_429_038_541_001, 1_429_038_541_999, null, 1);
  other.close();
});

afterAll(async () => {
  await Promise.all([fast?.close(), slow?.close()]);
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** '' when equal, else both texts around the first differing character (whole bodies are too long to read). */
function firstDifference(a: string, b: string): string {
  if (a === b) return '';
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: fast …${a.slice(i - 60, i + 60)}… vs dto …${b.slice(i - 60, i + 60)}…`;
}

const QUERIES = [
  '',
  '?size=50&sort=id,DESC',
  '?size=3&page=1&sort=id,DESC',
  '?size=3&page=99',
  '?checked=true',
  '?whitelisted=true',
  `?accounts=${ACCOUNT_B}&sort=created,DESC`,
  '?type=WRONG_REGION&sort=lastModified,ASC',
  '?type=WRONG_REGION&sort=lastModified,DESC&sort=eventId',
  '?sort=username,DESC&sort=instanceId,ASC',
  '?sort=application.name,DESC&size=2000',
  '?types=NO_SUCH_TYPE',
  '?meta=ami_name=taupage',
  '?from=2015-04-14T19:09:01.000Z&to=2100-01-01T00:00:00.000Z',
  '?last-violation=5&size=2',
];

describe('GET /api/violations, JSON built by the store', () => {
  it.each(QUERIES)('answers exactly what the DTO path answers: %s', async (query) => {
    const request = { url: `/api/violations${query}`, headers: bearer(TOKENS.reader) };
    const [a, b] = await Promise.all([fast.inject(request), slow.inject(request)]);
    expect(b.statusCode, b.body).toBe(200);
    expect(a.statusCode).toBe(200);
    expect(a.headers['content-type']).toBe(b.headers['content-type']);
    expect(firstDifference(a.body, b.body)).toBe('');
    expect(a.headers['content-length']).toBe(b.headers['content-length']);
  });

  it('covers the awkward rows (the comparison above is not vacuous)', async () => {
    const res = await fast.inject({ url: '/api/violations?size=100', headers: bearer(TOKENS.reader) });
    const byEvent = new Map(res.json().content.map((v: { event_id: string }) => [v.event_id, v]));
    expect(byEvent.size).toBe(14);
    expect(byEvent.get('not-json')).toMatchObject({
      meta_info: { data: 'this is {not json' },
      created: '2015-04-14T19:09:01.999Z',
      version: 3,
    });
    expect(byEvent.get('before-1970')).toMatchObject({
      created: '1969-12-31T23:59:59.999Z',
      last_modified: '1969-12-30T23:59:59.999Z',
    });
    expect(byEvent.get('out-of-range')).toMatchObject({
      created: '-000001-01-01T00:00:00.000Z',
      last_modified: '+010000-01-01T00:00:00.000Z',
    });
    expect(byEvent.get('edge-of-range')).toMatchObject({
      created: '0000-01-01T00:00:00.000Z',
      last_modified: '9999-12-31T23:59:59.999Z',
    });
    expect(byEvent.get('meta-undefined')).toMatchObject({ meta_info: null, violation_type: { id: 'BRAND_NEW_TYPE' } });
  });

  it('sees types and rows committed by another connection', async () => {
    const other = new Database(join(dir, 'fullstop.db'));
    other.prepare("INSERT INTO violation_type (id, is_audit_relevant, version) VALUES ('FROM_ELSEWHERE', 1, 0)").run();
    other
      .prepare(
        "INSERT INTO violation (event_id, account_id, region, violation_type_entity_id, created) VALUES ('elsewhere', ?, 'r', 'FROM_ELSEWHERE', 5)",
      )
      .run(ACCOUNT_A);
    other.close();
    const request = { url: '/api/violations?types=FROM_ELSEWHERE', headers: bearer(TOKENS.reader) };
    const [a, b] = [await fast.inject(request), await slow.inject(request)];
    expect(a.json().content[0]).toMatchObject({
      event_id: 'elsewhere',
      violation_type: { id: 'FROM_ELSEWHERE', audit_relevant: true },
    });
    expect(a.body).toBe(b.body);
  });
});

describe('row JSON cache', () => {
  const both = async (query: string) => {
    const request = { url: `/api/violations${query}`, headers: bearer(TOKENS.admin) };
    const [a, b] = [await fast.inject(request), await slow.inject(request)];
    expect(firstDifference(a.body, b.body)).toBe('');
    return a.json().content as Array<{ id: number; comment: string | null; version: number; event_id: string }>;
  };

  it('serves a row changed by this server (resolution bumps its version) as it is now', async () => {
    const before = await both('?size=5&sort=id,DESC');
    const target = before[0]!;
    const res = await fast.inject({
      method: 'POST',
      url: `/api/violations/${target.id}/resolution`,
      headers: bearer(TOKENS.admin),
      body: 'cached?',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await both('?size=5&sort=id,DESC')).map((v) => v.id)).not.toContain(target.id);
    const resolved = (await both('?checked=true&size=100')).find((v) => v.id === target.id);
    expect(resolved).toMatchObject({ comment: 'cached?', version: target.version + 1 });
  });

  it('serves a row changed by another connection, even without a version bump, as it is now', async () => {
    const [first] = await both('?size=1');
    const other = new Database(join(dir, 'fullstop.db'));
    other.prepare('UPDATE violation SET username = ? WHERE id = ?').run('changed elsewhere', first!.id);
    other.close();
    expect((await both('?size=1'))[0]).toMatchObject({
      id: first!.id,
      username: 'changed elsewhere',
      version: first!.version,
    });
  });

  it('builds pages larger than the cache', async () => {
    const db = new Database(':memory:');
    migrate(db);
    const insert = db.prepare(
      "INSERT INTO violation (event_id, account_id, region, violation_type_entity_id, created) VALUES (?, 'a', 'r', 'WRONG_AMI', 0)",
    );
    for (let i = 0; i < 10; i++) insert.run(`e${i}`);
    const types = new Map(
      (db.prepare('SELECT * FROM violation_type').all() as ViolationTypeRow[]).map((row) => [
        row.id,
        toViolationType(row),
      ]),
    );
    installJsonSupport(db, () => types);
    writeTypeJson(db, types.values());
    const cache = new RowJsonCache(db, 3);
    const keys = db.prepare('SELECT id, version FROM violation ORDER BY id DESC').raw().all() as Array<
      [number, number]
    >;
    for (let round = 0; round < 2; round++) {
      const page = JSON.parse(Buffer.concat(cache.page(keys)).toString()) as Array<{ id: number }>;
      expect(page.map((v) => v.id)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(Buffer.concat(cache.page([])).toString()).toBe('[]');
    db.close();
  });
});

describe('sqlite-json type fallback', () => {
  function database() {
    const db = new Database(':memory:');
    migrate(db);
    db.prepare(
      "INSERT INTO violation (event_id, account_id, region, violation_type_entity_id, created) VALUES ('e', 'a', 'r', 'WRONG_AMI', 0)",
    ).run();
    const types = new Map(
      (db.prepare('SELECT * FROM violation_type').all() as ViolationTypeRow[]).map((row) => [
        row.id,
        toViolationType(row),
      ]),
    );
    return { db, types };
  }
  const page = (db: Database.Database) => ({
    json: Buffer.from(db.prepare(`SELECT ${VIOLATION_JSON} FROM violation`).pluck().get() as string),
  });

  it('asks the store for a type missing from the table, and says so when the store lacks it too', () => {
    const { db, types } = database();
    let known = new Map(types);
    installJsonSupport(db, () => known);
    writeTypeJson(db, []);
    const fromFallback = page(db).json.toString();
    writeTypeJson(db, types.values());
    expect(fromFallback).toBe(page(db).json.toString());
    expect(JSON.parse(fromFallback).violation_type).toEqual(types.get('WRONG_AMI'));
    writeTypeJson(db, []);
    known = new Map();
    expect(() => page(db)).toThrow(MissingTypeJsonError);
    db.close();
  });
});
