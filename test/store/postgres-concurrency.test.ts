/**
 * Several servers on one PostgreSQL database, writing at the same time: resolutions, whitelisting-rule changes
 * and ingest commits from different connections never lose an update, count a file twice or bring an expired
 * rule back. Each store below has its own pool, as separate server processes would.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { ViolationDraft, PageRequest } from '../../src/server/model.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from './pg.js';

const SERVERS = 4;
let schema: TestSchema;
let stores: ViolationStore[];

const draft = (eventId: string, over: Partial<ViolationDraft> = {}): ViolationDraft => ({
  eventId,
  accountId: '111111111111',
  region: 'eu-west-1',
  type: 'WRONG_REGION',
  instanceId: null,
  ...over,
});
const all: PageRequest = { page: 0, size: 2000, sort: [{ property: 'id', direction: 'ASC' }] };
const file = (key: string) => ({ source: 's3://logs', key, fingerprint: 'etag', records: 1, badRecords: 0 });
const pick = <T>(items: readonly T[], i: number) => items[i % items.length]!;

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('PostgreSQL store under concurrent writers'), () => {
  beforeEach(async () => {
    schema = testSchema();
    stores = [await openStore(schema.url)];
    stores.push(...(await Promise.all(Array.from({ length: SERVERS - 1 }, () => openStore(schema.url)))));
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await schema.drop();
  });

  it('applies every one of many concurrent resolutions: each raises the version once, none is lost', async () => {
    await stores[0]!.insertViolations(Array.from({ length: 10 }, (_, i) => draft(`e${i}`)));
    const ids = (await stores[0]!.listViolations({}, all)).content.map((v) => v.id);
    const resolutions = Array.from({ length: 200 }, (_, i) => ({ id: pick(ids, i * 7), comment: `c${i}` }));
    const answers = await Promise.all(
      resolutions.map(({ id, comment }, i) =>
        pick(stores, i)
          .resolveViolation(id, comment, `user${i % SERVERS}`, '*')
          .then((r) => (r.status === 'resolved' ? r.violation : undefined)),
      ),
    );
    for (const id of ids) {
      const mine = answers.filter((v) => v!.id === id);
      // Each answer is the row right after its own update: versions 1..n, each exactly once.
      expect(mine.map((v) => v!.version).sort((a, b) => a - b)).toEqual(mine.map((_, i) => i + 1));
      const stored = await pick(stores, id).getViolation(id);
      expect(stored!.version).toBe(mine.length);
      // The last update wins, and it is the one that answered with the highest version.
      expect(stored!.comment).toBe(mine.find((v) => v!.version === mine.length)!.comment);
    }
  });

  it('never revives a rule that a concurrent replace expired (expire checks the expiry when it writes)', async () => {
    for (let round = 0; round < 15; round++) {
      const rule = await stores[0]!.createWhitelistingRule({ reason: `r${round}`, accountId: '1' }, 'u');
      const [expired, replacement] = await Promise.all([
        stores[1]!.expireWhitelistingRule(rule.id, Date.now() + 3_600_000, 'alice'),
        stores[2]!.replaceWhitelistingRule(rule.id, { reason: `r${round}b`, accountId: '1' }, 'bob'),
      ]);
      expect(['expired', 'in-past']).toContain(expired);
      expect(replacement).toBeDefined();
      const old = await stores[3]!.getWhitelistingRule(rule.id);
      expect(Date.parse(old!.expiry_date)).toBeLessThanOrEqual(Date.now());
      expect(old!.version).toBe(expired === 'expired' ? 2 : 1);
    }
    const active = (await stores[0]!.listWhitelistingRules()).filter((r) => Date.parse(r.expiry_date) > Date.now());
    expect(active.map((r) => r.reason)).toEqual(Array.from({ length: 15 }, (_, i) => `r${i}b`));
  });

  it('commits each file once when several servers ingest the same files at the same time', async () => {
    // 40 files, each with 25 violations; neighbouring files share 5 violations (as redelivered events do).
    const files = Array.from({ length: 40 }, (_, f) => ({
      file: file(`k${f}.json`),
      drafts: Array.from({ length: 25 }, (_, i) =>
        draft(`e${f * 20 + i}`, { type: pick(['WRONG_REGION', 'NEW_TYPE'], i) }),
      ),
    }));
    const batches = stores.map((_, s) => [...files].sort(() => (s % 2 === 0 ? 1 : -1)).slice(0, 30 + s * 3));
    const results = await Promise.all(
      batches.map(async (batch, s) => {
        const out = [];
        for (let i = 0; i < batch.length; i += 8) out.push(...(await stores[s]!.commitFiles(batch.slice(i, i + 8))));
        return out;
      }),
    );
    const distinct = new Set(files.flatMap((f) => f.drafts.map((d) => d.eventId)));
    const inserted = results.flat().reduce((sum, r) => sum + r.inserted, 0);
    expect(inserted).toBe(distinct.size);
    expect((await stores[1]!.listViolations({}, all)).total).toBe(distinct.size);
    const { rows } = await schema.query('SELECT count(*)::int AS n FROM processed_file');
    expect(rows[0]!.n).toBe(40);
    expect((await stores[2]!.listViolationTypes()).filter((t) => t.id === 'NEW_TYPE')).toHaveLength(1);
  });

  it('keeps ingest, resolutions and rule changes from different servers all intact when they run together', async () => {
    await stores[0]!.insertViolations(Array.from({ length: 20 }, (_, i) => draft(`base${i}`)));
    const base = (await stores[0]!.listViolations({}, all)).content.map((v) => v.id);
    const rule = await stores[0]!.createWhitelistingRule({ reason: 'quiet region', region: 'us-east-1' }, 'u');
    const work: Array<Promise<unknown>> = [];
    for (let i = 0; i < 60; i++) {
      const store = pick(stores, i);
      // Ingest as the pipeline does it: claim the file first; the commit drops the claim in its transaction.
      if (i % 3 === 0)
        work.push(
          store
            .claimObjects('s3://logs', [{ key: `f${i}`, fingerprint: 'etag' }])
            .then(() =>
              store.commitFile(file(`f${i}`), [draft(`new${i}`), draft(`east${i}`, { region: 'us-east-1' })]),
            ),
        );
      else if (i % 3 === 1) work.push(store.resolveViolation(pick(base, i), `resolved ${i}`, 'u', '*'));
      else work.push(store.createWhitelistingRule({ reason: `rule ${i}`, accountId: `acct${i}` }, 'u'));
    }
    work.push(stores[1]!.replaceWhitelistingRule(rule.id, { reason: 'still quiet', region: 'us-east-1' }, 'u'));
    await Promise.all(work);
    const everything = await stores[2]!.listViolations({}, all);
    const resolved = await stores[3]!.listViolations({ checked: true }, all);
    const whitelisted = await stores[0]!.listViolations({ whitelisted: true }, all);
    expect(everything.total + resolved.total + whitelisted.total).toBe(20 + 40);
    expect(resolved.total).toBe(
      new Set(
        Array.from({ length: 60 }, (_, i) => i)
          .filter((i) => i % 3 === 1)
          .map((i) => pick(base, i)),
      ).size,
    );
    // Every us-east-1 violation was whitelisted by the rule or its replacement, whichever was active at its commit.
    expect(whitelisted.content.map((v) => v.event_id).every((id) => id!.startsWith('east'))).toBe(true);
    expect(whitelisted.total).toBe(20);
    const rules = await stores[1]!.listWhitelistingRules();
    expect(rules).toHaveLength(1 + 20 + 1);
    const versions = (await stores[1]!.listViolations({ checked: true }, all)).content.map((v) => v.version);
    expect(versions.reduce((a, b) => a + b, 0)).toBe(20);
    expect((await schema.query('SELECT count(*)::int AS n FROM ingest_lease')).rows).toEqual([{ n: 0 }]);
    expect(stores.map((store) => store.claimStatus().held)).toEqual([0, 0, 0, 0]);
  });

  it('splits claimed files between servers that list the same files, and commits each once', async () => {
    const listed = Array.from({ length: 120 }, (_, f) => ({ key: `k${f}.json`, fingerprint: 'etag' }));
    const committed = await Promise.all(
      stores.map(async (store, s) => {
        const mine: string[] = [];
        // Each server walks the listing from another point, claims 8 at a time and commits what it claimed.
        const order = [...listed.slice(s * 30), ...listed.slice(0, s * 30)];
        for (let i = 0; i < order.length; i += 8) {
          const { claimed } = await store.claimObjects('s3://logs', order.slice(i, i + 8));
          const files = [...claimed].map((key) => ({ file: file(key), drafts: [draft(`${key}-event`)] }));
          await store.commitFiles(files);
          mine.push(...claimed);
        }
        return mine;
      }),
    );
    expect(committed.flat().sort()).toEqual(listed.map((f) => f.key).sort());
    expect((await stores[0]!.listViolations({}, all)).total).toBe(120);
    expect((await schema.query('SELECT count(*)::int AS n FROM ingest_lease')).rows).toEqual([{ n: 0 }]);
  });
});
