/**
 * SQL injection stays inert: every filter, `meta` (keys and values), `sort`, path ids and the fields that writes
 * store are bound as parameters or checked against an allow-list. Payloads find nothing extra, are stored and
 * served back verbatim, and every table is still there afterwards with its rows.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { startHarness, client, bearer, json, STATIC, ACCOUNT_A, type Harness } from './harness.js';

const PAYLOADS = [
  "1' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  "'; DROP TABLE violation; --",
  '1; DELETE FROM rule',
  "') UNION SELECT name, sql FROM sqlite_master --",
  "%' OR 1=1 --",
  "\\'; DROP TABLE rule; --",
  "x' AND (SELECT COUNT(*) FROM violation) > 0 --",
  "$.a') OR json_extract(meta_info, '$') IS NOT NULL --",
];
const LIST_FILTERS = [
  'accounts',
  'type',
  'types',
  'application-ids',
  'application-version-ids',
  'regions',
  'instance-ids',
];
const TYPED_FILTERS = [
  'from',
  'to',
  'last-violation',
  'checked',
  'whitelisted',
  'severity',
  'min-severity',
  'priority',
  'audit-relevant',
  'page',
  'size',
];

let h: Harness;
let http: ReturnType<typeof client>;
let tablesBefore: string[];
const admin = { ...bearer(STATIC.admin) };

function tables(): string[] {
  const db = new Database(h.dbPath, { readonly: true });
  try {
    return (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>
    ).map((t) => t.name);
  } finally {
    db.close();
  }
}

const LATER = '2999-01-01T00:00:00Z';

async function list(query: string): Promise<{ status: number; ids: number[] }> {
  const res = await http.send('GET', `/api/violations?size=2000&to=${LATER}&${query}`, admin);
  return {
    status: res.status,
    ids:
      res.status === 200 ? (JSON.parse(res.text) as { content: Array<{ id: number }> }).content.map((v) => v.id) : [],
  };
}

beforeAll(async () => {
  h = await startHarness();
  http = client(h.url);
  tablesBefore = tables();
});
afterAll(async () => {
  await http?.close();
  await h?.close();
});

describe('SQL injection', () => {
  it('finds nothing through list filters, meta keys and values, alone or after a valid value', async () => {
    let requests = 0;
    for (const payload of PAYLOADS) {
      for (const filter of LIST_FILTERS) {
        for (const value of [payload, `${ACCOUNT_A}${payload}`, `WRONG_AMI,${payload}`]) {
          const { status, ids } = await list(`${filter}=${encodeURIComponent(value)}`);
          requests++;
          // `WRONG_AMI,…` is a list of two: it finds the WRONG_AMI violations for type filters, and nothing more.
          const expected =
            value.startsWith('WRONG_AMI,') && (filter === 'type' || filter === 'types')
              ? (await list('types=WRONG_AMI')).ids
              : [];
          expect([filter, value, status, ids]).toEqual([filter, value, 200, expected]);
        }
      }
      for (const meta of [`ami_name=${payload}`, `${payload}=x`, `ami_name=seed-ami-1${payload}`]) {
        const res = await http.send('GET', `/api/violations?meta=${encodeURIComponent(meta)}`, admin);
        requests++;
        // `meta` is a comma-separated list of key=value: a payload with a comma leaves an entry without `=`.
        const expected = meta.split(',').every((entry) => entry.indexOf('=') > 0)
          ? [200, '[]']
          : [400, expect.stringMatching(/^meta: expected key=value, got/)];
        const body = JSON.parse(res.text) as { content?: unknown[]; message?: string };
        expect([meta, res.status, res.status === 200 ? JSON.stringify(body.content) : body.message]).toEqual([
          meta,
          ...expected,
        ]);
      }
    }
    console.log(`injection: ${requests} filter requests with ${PAYLOADS.length} payloads, none found anything extra`);
  });

  it('refuses payloads in typed parameters, sort and path ids with 400, naming the parameter', async () => {
    for (const payload of PAYLOADS) {
      for (const filter of TYPED_FILTERS) {
        const { status } = await list(`${filter}=${encodeURIComponent(`1${payload}`)}`);
        // page and size read a number they cannot parse as 0 / the default, as Spring Data does; they never reach SQL.
        expect([filter, payload, status]).toEqual([
          filter,
          payload,
          filter === 'page' || filter === 'size' ? 400 : 400,
        ]);
      }
      for (const sort of [
        payload,
        `id,${payload}`,
        `id;${payload}`,
        `(SELECT 1)`,
        `id desc, (CASE WHEN 1=1 THEN id END)`,
      ]) {
        const res = await http.send('GET', `/api/violations?sort=${encodeURIComponent(sort)}`, admin);
        expect([sort, res.status]).toEqual([sort, 400]);
        expect(JSON.parse(res.text).message).toMatch(/^sort: unknown property/);
      }
      for (const path of [
        `/api/violations/${encodeURIComponent(`1${payload}`)}`,
        `/api/whitelisting-rules/${encodeURIComponent(`1${payload}`)}`,
      ]) {
        expect([path, (await http.send('GET', path, admin)).status]).toEqual([path, 400]);
      }
      const counts = await http.send('GET', `/api/violation-count/${encodeURIComponent(payload)}`, admin);
      expect([counts.status, counts.text]).toEqual([200, '[]']);
      const byAccounts = await http.send('GET', `/api/violation-count?accounts=${encodeURIComponent(payload)}`, admin);
      expect([byAccounts.status, byAccounts.text]).toEqual([200, '[]']);
    }
  });

  it('stores payloads in comments, violations and rules verbatim, and finds them by exact value only', async () => {
    for (const [i, payload] of PAYLOADS.entries()) {
      const resolved = await http.send('POST', `/api/violations/${i + 4}/resolution`, admin, payload);
      expect(JSON.parse(resolved.text).comment).toBe(payload);
      const created = await http.send(
        'POST',
        '/api/violations',
        { ...admin, ...json },
        JSON.stringify({
          event_id: `inj-${i}`,
          account_id: ACCOUNT_A,
          region: payload,
          violation_type: 'WRONG_AMI',
          instance_id: payload,
          meta_info: { [payload]: payload },
        }),
      );
      expect(created.status).toBe(202);
      // `to` defaults to now, strictly: a violation created in this very millisecond would not be listed.
      const all = JSON.parse((await http.send('GET', `/api/violations?size=2000&to=${LATER}`, admin)).text) as {
        content: Array<{ id: number; event_id: string; region: string; instance_id: string; meta_info: unknown }>;
      };
      const stored = all.content.find((v) => v.event_id === `inj-${i}`)!;
      expect([stored.region, stored.instance_id, stored.meta_info]).toEqual([payload, payload, { [payload]: payload }]);
      // List filters split on commas (and `meta` also on the first `=`): other payloads are one value there.
      if (!payload.includes(','))
        expect((await list(`regions=${encodeURIComponent(payload)}`)).ids).toEqual([stored.id]);
      if (!/[,=]/.test(payload))
        expect((await list(`meta=${encodeURIComponent(`${payload}=${payload}`)}`)).ids).toEqual([stored.id]);
      const rule = await http.send(
        'POST',
        '/api/whitelisting-rules',
        { ...admin, ...json },
        JSON.stringify({ reason: payload, account_id: payload, image_owner: payload }),
      );
      expect(JSON.parse(rule.text)).toMatchObject({ reason: payload, account_id: payload, image_owner: payload });
    }
  });

  it('leaves every table and every seeded row in place', async () => {
    expect(tables()).toEqual(tablesBefore);
    expect(tablesBefore).toEqual(expect.arrayContaining(['violation', 'violation_type', 'rule', 'processed_file']));
    const db = new Database(h.dbPath, { readonly: true });
    try {
      const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
      expect(count("SELECT COUNT(*) AS n FROM violation WHERE event_id LIKE 'seed-%'")).toBe(h.seeded.violations);
      expect(count("SELECT COUNT(*) AS n FROM rule WHERE reason LIKE 'seeded%'")).toBe(h.seeded.rules);
      expect(count('SELECT COUNT(*) AS n FROM violation_type')).toBeGreaterThan(10);
    } finally {
      db.close();
    }
  });
});
