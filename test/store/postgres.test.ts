/**
 * What the PostgreSQL store adds to the shared contract: migrations that run once however many servers start
 * together, several servers (stores) on one database seeing each other's writes at once, and the database's
 * limits (NUL in text, ids beyond bigint) answered without errors.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BINARY, assertBuilt } from '../e2e/server-process.js';
import { openStore } from '../../src/server/store/open-store.js';
import { createPool } from '../../src/server/store/postgres-pool.js';
import { migratePostgres, migrationFiles } from '../../src/server/store/postgres-migrate.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { ViolationDraft, PageRequest } from '../../src/server/model.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from './pg.js';

const schemas: TestSchema[] = [];
const stores: ViolationStore[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await Promise.all(schemas.map((schema) => schema.drop()));
});

/** `n` stores (as `n` servers would open them) on one new schema. */
async function servers(n: number): Promise<{ schema: TestSchema; stores: ViolationStore[] }> {
  const schema = testSchema();
  schemas.push(schema);
  const opened = await Promise.all(Array.from({ length: n }, () => openStore(schema.url)));
  stores.push(...opened);
  return { schema, stores: opened };
}

const draft = (over: Partial<ViolationDraft> = {}): ViolationDraft => ({
  eventId: 'e1',
  accountId: '111111111111',
  region: 'eu-west-1',
  type: 'WRONG_REGION',
  instanceId: 'i-1',
  metaInfo: { k: 'v' },
  ...over,
});
const page: PageRequest = { page: 0, size: 100, sort: [{ property: 'id', direction: 'ASC' }] };

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('PostgreSQL store'), () => {
  it('migrates a fresh schema exactly once when several servers open it at the same time', async () => {
    const schema = testSchema();
    schemas.push(schema);
    const pools = Array.from({ length: 6 }, () => createPool(schema.url, 2));
    try {
      const ran = await Promise.all(pools.map((pool) => migratePostgres(pool)));
      const names = migrationFiles().map((f) => f.name);
      expect(ran.flat().sort()).toEqual([...names].sort());
      expect(ran.filter((r) => r.length > 0)).toHaveLength(1);
      const { rows } = await schema.query('SELECT name FROM schema_migration ORDER BY version');
      expect(rows.map((r) => r.name)).toEqual(names);
      expect(await migratePostgres(pools[0]!)).toEqual([]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
    const {
      stores: [a, b, c],
    } = await servers(3);
    expect((await a!.listViolationTypes()).length).toBe(32);
    expect(await b!.listViolationTypes()).toEqual(await c!.listViolationTypes());
  });

  it('creates the schema that search_path names, and opens an existing store without migrating it again', async () => {
    const { schema } = await servers(1);
    const { rows } = await schema.query(
      'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1',
      [schema.name],
    );
    expect(rows[0]!.n).toBeGreaterThan(5);
    const again = await openStore(schema.url);
    stores.push(again);
    const { rows: applied } = await schema.query('SELECT count(*)::int AS n FROM schema_migration');
    expect(applied[0]!.n).toBe(migrationFiles().length);
  });

  it("sees the other servers' writes at once: totals, rows, types and whitelisting rules", async () => {
    const {
      stores: [a, b],
    } = await servers(2);
    expect((await b!.listViolations({ createdBefore: Date.now() }, page)).total).toBe(0);
    await a!.insertViolations([draft(), draft({ eventId: 'e2', type: 'BRAND_NEW' })]);
    // b counted 0 before: its cached total must not survive a's insert.
    const listed = await b!.listViolations({ createdBefore: Date.now() + 1 }, page);
    expect(listed.total).toBe(2);
    expect(listed.content[1]!.violation_type.id).toBe('BRAND_NEW');
    expect((await b!.listViolations({ severity: 0 }, page)).content.map((v) => v.event_id)).toEqual(['e2']);
    expect((await b!.listViolationsJson!({}, page)).total).toBe(2);
    await b!.resolveViolation(listed.content[0]!.id, 'fixed', 'bob', '*');
    expect((await a!.listViolations({}, page)).total).toBe(1);
    const json = await a!.listViolationsJson!({ checked: true }, page);
    expect(JSON.parse(Buffer.concat(json.json).toString())[0]).toMatchObject({ comment: 'fixed', version: 1 });
    // a compiled its whitelist on its first insert; b's new rule must apply to a's next one.
    await b!.createWhitelistingRule({ reason: 'by b', accountId: '111111111111' }, 'bob');
    await a!.insertViolations([draft({ eventId: 'e3' })]);
    expect((await b!.listViolations({ whitelisted: true }, page)).content.map((v) => v.comment)).toEqual([
      'Whitelisted automatically because of:by b',
    ]);
  });

  it('serves a row changed behind its back (psql) as changed: every update raises the version', async () => {
    const {
      schema,
      stores: [a],
    } = await servers(1);
    await a!.insertViolations([draft()]);
    const before = JSON.parse(Buffer.concat((await a!.listViolationsJson!({}, page)).json).toString());
    expect(before[0]).toMatchObject({ version: 0, username: null });
    await schema.query("UPDATE violation SET username = 'changed by hand'");
    const after = JSON.parse(Buffer.concat((await a!.listViolationsJson!({}, page)).json).toString());
    expect(after[0]).toMatchObject({ version: 1, username: 'changed by hand' });
  });

  it('stores NUL (which PostgreSQL text cannot hold) as U+FFFD instead of failing the write', async () => {
    const {
      stores: [a],
    } = await servers(1);
    expect(await a!.insertViolations([draft({ eventId: 'nul\0inside', username: '\0' })])).toEqual({
      inserted: 1,
      duplicates: 0,
    });
    const [stored] = (await a!.listViolations({}, page)).content;
    expect(stored).toMatchObject({ event_id: 'nul\uFFFDinside', username: '\uFFFD' });
    expect(await a!.resolveViolation(stored!.id, 'a\0b', 'x\0', '*')).toMatchObject({
      status: 'resolved',
      violation: { comment: 'a\uFFFDb' },
    });
    expect(await a!.commitFile({ source: 's\0', key: 'k', fingerprint: 'f', records: 1, badRecords: 0 }, [])).toEqual({
      inserted: 0,
      duplicates: 0,
    });
  });

  it('answers ids and offsets beyond bigint as "nothing there"', async () => {
    const {
      stores: [a],
    } = await servers(1);
    await a!.insertViolations([draft()]);
    expect(await a!.getViolation(2 ** 70)).toBeUndefined();
    expect(await a!.resolveViolation(2 ** 70, 'x', 'y', '*')).toEqual({ status: 'not_found' });
    expect(await a!.getWhitelistingRule(2 ** 70)).toBeUndefined();
    expect(await a!.expireWhitelistingRule(2 ** 70, Date.now() + 1000, 'y')).toBe('not-found');
    expect((await a!.listViolations({ lastViolation: 2 ** 70 }, page)).total).toBe(0);
    expect((await a!.listViolations({ lastViolation: -(2 ** 70) }, page)).total).toBe(1);
    expect(await a!.listViolations({}, { ...page, page: 2 ** 60 })).toEqual({ content: [], total: 1 });
    expect((await a!.listViolations({ severity: 2 ** 70 }, page)).total).toBe(0);
  });

  it('fails to open with a message that names the database but not its password', async () => {
    await expect(openStore('postgres://fullstop:s3cret@127.0.0.1:1/fullstop')).rejects.toThrow(
      /^cannot open postgres:\/\/fullstop:\*\*\*@127\.0\.0\.1:1\/fullstop: .*ECONNREFUSED/,
    );
  });
});

describe('a PostgreSQL database that does not answer', () => {
  it.each([
    [['server', '--no-auth', '--port', '0'], 1],
    [['ingest', 'test/fixtures/cloudtrail/fullstop-fixtures'], 2],
  ])('stops `fullstop %s` with one line naming the database without its password', async (args, code) => {
    assertBuilt();
    const failed = await promisify(execFile)(process.execPath, [
      BINARY,
      ...args,
      '--db',
      'postgres://fullstop:s3cret@127.0.0.1:1/fullstop',
    ]).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({
      code,
      stderr: 'error: cannot open postgres://fullstop:***@127.0.0.1:1/fullstop: connect ECONNREFUSED 127.0.0.1:1\n',
    });
  });
});
