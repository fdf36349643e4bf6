/**
 * `fullstop export` / `fullstop import` between the two stores: SQLite → PostgreSQL → SQLite gives back the
 * original whole rows (ids, versions, comments, times, rule links, types, versions' first-seen times, processed
 * files, ingest failures), importing twice adds nothing, and a damaged export imports nothing.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { openStore } from '../../src/server/store/open-store.js';
import { exportStore, importStore, KINDS } from '../../src/server/store/transfer/index.js';
import { TABLES } from '../../src/server/store/transfer/format.js';
import type { ViolationDraft } from '../../src/server/model.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from './pg.js';

let dir: string;
const schemas: TestSchema[] = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-transfer-'));
});
afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
  rmSync(dir, { recursive: true, force: true });
});

const draft = (eventId: string, over: Partial<ViolationDraft> = {}): ViolationDraft => ({
  eventId,
  accountId: '111111111111',
  region: 'eu-west-1',
  type: 'WRONG_REGION',
  instanceId: `i-${eventId}`,
  metaInfo: { ami_name: 'taupage', n: 1.5, nested: { list: [1, 'two', null] } },
  ...over,
});

let fileCount = 0;
const newSqlite = () => `sqlite:${join(dir, `store-${++fileCount}.db`)}`;

/** A SQLite store with every kind of record and the awkward values a real one collects. */
async function original(): Promise<string> {
  const url = newSqlite();
  const store = await openStore(url);
  vi.useFakeTimers({ toFake: ['Date'] });
  try {
    vi.setSystemTime(Date.parse('2016-02-29T23:59:59.999Z'));
    await store.insertViolations([
      draft('a'),
      draft('b', {
        instanceId: null,
        username: 'arn:aws:iam::1:user/ünï "q"',
        applicationId: 'kio',
        applicationVersion: '1.0',
      }),
      draft('c', { type: 'NOT_IN_THE_CATALOGUE', metaInfo: ['list'], pluginName: 'org.example.Plugin' }),
      draft('d', { metaInfo: 'text', accountId: '222222222222', applicationVersion: '2.0' }),
      draft('e', { metaInfo: null }),
    ]);
    vi.setSystemTime(Date.parse('2016-03-01T00:00:00.001Z'));
    await store.resolveViolation(1, 'first', 'alice', '*');
    await store.resolveViolation(1, 'line\nbreak, "quoted", tab\t', 'bob', '*');
    const rule = await store.createWhitelistingRule({ reason: 'ci', accountId: '333333333333', version: 7 }, 'carol');
    await store.replaceWhitelistingRule(rule.id, { reason: 'ci again', accountId: '333333333333' }, 'carol');
    await store.createWhitelistingRule(
      { reason: 'by type', violationType: 'WRONG_AMI', expiryDate: Date.UTC(2030, 0, 1) },
      'dan',
    );
    await store.commitFile(
      { source: 's3://bucket/prefix', key: 'k1.json.gz', fingerprint: '"etag"', records: 20, badRecords: 2 },
      [draft('f', { accountId: '333333333333' }), draft('g', { accountId: '333333333333', type: 'WRONG_AMI' })],
    );
    await store.commitFiles([
      {
        file: { source: 'file:///logs', key: 'run.json', fingerprint: '9:9', records: 1, badRecords: 0 },
        drafts: [],
        lifecycles: [
          {
            eventType: 'RunInstances',
            eventId: 'run-1',
            eventDate: '2016-02-28T10:00:00.000Z',
            accountId: '333333333333',
            region: 'eu-west-1',
            instanceId: 'i-run',
            imageId: 'ami-1',
            imageName: null,
            applicationId: 'kio',
            applicationVersion: '1.0',
          },
        ],
        pending: [
          {
            eventId: 'run-2',
            accountId: '333333333333',
            region: 'eu-west-1',
            event: '{"eventID":"run-2","note":"ünï \\"q\\""}',
            source: 'file:///logs',
            key: 'run.json',
            configFingerprint: 'abc',
            lastError: 'kio: HTTP 503',
            retryable: true,
            delayMs: 30_000,
          },
        ],
      },
    ]);
    await store.recordIngestFailure({
      source: 'file:///logs',
      key: 'broken.json',
      fingerprint: '12:34',
      reason: 'not JSON',
    });
  } finally {
    vi.useRealTimers();
  }
  await store.close();
  // A row only a foreign writer leaves: meta_info that is not JSON, no last_modified, a time before 1970.
  const db = new Database(url.slice('sqlite:'.length));
  db.prepare(
    `INSERT INTO violation (event_id, account_id, region, meta_info, violation_type_entity_id, created, version)
     VALUES ('foreign', '1', 'r', '{not json', 'WRONG_AMI', -5, 4)`,
  ).run();
  db.close();
  return url;
}

/** Every row of every copied table, in key order: what "the same store" means here. */
function sqliteRows(url: string): Record<string, unknown[]> {
  const db = new Database(url.slice('sqlite:'.length), { readonly: true });
  try {
    return Object.fromEntries(
      KINDS.map((kind) => [kind, db.prepare(`SELECT * FROM ${kind} ORDER BY ${TABLES[kind].key.join(', ')}`).all()]),
    );
  } finally {
    db.close();
  }
}

async function exported(url: string): Promise<string> {
  const lines: string[] = [];
  await exportStore(url, (batch) => lines.push(...batch), new Date(0));
  return `${lines.join('\n')}\n`;
}

const importText = (url: string, text: string) => importStore(url, Readable.from([text]));
/** The export without its header, which names the store it came from. */
const body = (text: string) => text.split('\n').slice(1).join('\n');

describe('export and import between SQLite stores', () => {
  it('copies a store whole, and a second import adds nothing', async () => {
    const from = await original();
    const text = await exported(from);
    const to = newSqlite();
    const first = await importText(to, text);
    expect(first.inserted).toMatchObject({
      violation: 8,
      rule: 3,
      app_version: 2,
      lifecycle: 1,
      processed_file: 2,
      ingest_failure: 1,
      pending_evaluation: 1,
    });
    expect(first.inserted.violation_type + first.updated.violation_type).toBe(33);
    expect(sqliteRows(to)).toEqual(sqliteRows(from));
    const second = await importText(to, text);
    expect(second.inserted).toEqual(Object.fromEntries(KINDS.map((k) => [k, 0])));
    expect(second.updated.violation_type).toBe(0);
    expect(sqliteRows(to)).toEqual(sqliteRows(from));
  });

  it('imports nothing from a damaged export, and says which line is wrong', async () => {
    const text = await exported(await original());
    const lines = text.trimEnd().split('\n');
    const to = newSqlite();
    await expect(importText(to, lines.slice(0, -1).join('\n'))).rejects.toThrow(/no last line .* cut short/);
    await expect(importText(to, lines.slice(0, 30).concat(lines.slice(31)).join('\n'))).rejects.toThrow(
      /announces \d+ \w+ records but holds/,
    );
    const broken = [...lines];
    const violation = lines.findIndex((line) => line.startsWith('{"kind":"violation"'));
    broken[violation] = broken[violation]!.replace(/"event_id":"[^"]*"/, '"event_id":1');
    await expect(importText(to, broken.join('\n'))).rejects.toThrow(
      new RegExp(`^nothing was imported into sqlite:.*: line ${violation + 1}: violation record: event_id: `),
    );
    await expect(importText(to, lines.slice(1).join('\n'))).rejects.toThrow(/: line 1: not a fullstop export/);
    await expect(importText(to, `${lines[0]}\n{oops\n`)).rejects.toThrow(/: line 2: not JSON/);
    await expect(importText(to, '')).rejects.toThrow(/input is empty/);
    const store = await openStore(to);
    expect(
      (await store.listViolations({}, { page: 0, size: 10, sort: [{ property: 'id', direction: 'ASC' }] })).total,
    ).toBe(0);
    await store.close();
  });

  it('refuses to export a SQLite file that does not exist (rather than an empty store)', async () => {
    await expect(exported(`sqlite:${join(dir, 'missing.db')}`)).rejects.toThrow(/no SQLite database at/);
  });
});

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('export and import through PostgreSQL'), () => {
  it('copies SQLite → PostgreSQL → SQLite back to the original whole rows; importing twice adds nothing', async () => {
    const from = await original();
    const schema = testSchema();
    schemas.push(schema);
    const text = await exported(from);
    const intoPostgres = await importText(schema.url, text);
    expect(intoPostgres.inserted).toMatchObject({ violation: 8, rule: 3, app_version: 2 });
    const again = await importText(schema.url, text);
    expect(again.inserted).toEqual(Object.fromEntries(KINDS.map((k) => [k, 0])));
    expect(again.updated.violation_type).toBe(0);
    const fromPostgres = await exported(schema.url);
    expect(body(fromPostgres)).toBe(body(text));
    const back = newSqlite();
    await importText(back, fromPostgres);
    expect(sqliteRows(back)).toEqual(sqliteRows(from));

    // The copy is a working store: the API reads it, and new rows get ids after the imported ones.
    const store = await openStore(schema.url);
    try {
      const resolved = await store.getViolation(1);
      expect(resolved).toMatchObject({ comment: 'line\nbreak, "quoted", tab\t', version: 2, last_modified_by: 'bob' });
      expect(await store.getViolation(8)).toMatchObject({ event_id: 'foreign', meta_info: { data: '{not json' } });
      await store.insertViolations([draft('after-import')]);
      const rule = await store.createWhitelistingRule({ reason: 'new' }, 'x');
      expect(rule.id).toBe(4);
      const page = await store.listViolations(
        { accounts: ['111111111111'] },
        { page: 0, size: 1, sort: [{ property: 'id', direction: 'DESC' }] },
      );
      expect(page.content[0]).toMatchObject({ id: 9, event_id: 'after-import' });
    } finally {
      await store.close();
    }
  });

  it('imports nothing into PostgreSQL when the export breaks a rule link half way', async () => {
    const schema = testSchema();
    schemas.push(schema);
    const lines = (await exported(await original())).trimEnd().split('\n');
    // Rule 2 whitelisted two violations; without it their rule link points nowhere.
    const rule = lines.findIndex((line) => line.startsWith('{"kind":"rule","id":2,'));
    const broken = lines.filter((_, i) => i !== rule).map((line) => line.replace(/"rule":3/, '"rule":2'));
    await expect(importText(schema.url, broken.join('\n'))).rejects.toThrow(
      /^nothing was imported into postgres:.*foreign key/,
    );
    const { rows } = await schema.query('SELECT (SELECT count(*) FROM violation) + (SELECT count(*) FROM rule) AS n');
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('writes the export file the README documents', async () => {
    const text = await exported(await original());
    const path = join(dir, 'export.ndjson');
    writeFileSync(path, text);
    const records = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string });
    expect(records[0]).toEqual({
      kind: 'fullstop-export',
      format_version: 1,
      exported_at: '1970-01-01T00:00:00.000Z',
      store: 'sqlite',
    });
    expect(records.at(-1)).toMatchObject({ kind: 'end', counts: { violation: 8, rule: 3 } });
    expect(records.find((r) => r.kind === 'violation')).toEqual({
      kind: 'violation',
      id: 1,
      version: 2,
      event_id: 'a',
      account_id: '111111111111',
      region: 'eu-west-1',
      instance_id: 'i-a',
      meta_info: '{"ami_name":"taupage","n":1.5,"nested":{"list":[1,"two",null]}}',
      comment: 'line\nbreak, "quoted", tab\t',
      plugin_fully_qualified_class_name: null,
      violation_type_entity_id: 'WRONG_REGION',
      created: Date.parse('2016-02-29T23:59:59.999Z'),
      created_by: 'FULLSTOP',
      last_modified: Date.parse('2016-03-01T00:00:00.001Z'),
      last_modified_by: 'bob',
      username: null,
      rule_entity_id: null,
      application_id: null,
      application_version_id: null,
    });
  });
});
