/**
 * Leases on listed objects in PostgreSQL, between stores with pools of their own as separate replicas have: claims
 * never overlap, a lease held by a live replica is renewed past its length, a dead replica's leases (its pool
 * gone without a word) are taken over once they expire by the database's clock, or at once when its database
 * sessions are gone too (the process was killed), a graceful close hands them on at once, and a replica takes its
 * own leases again at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { PostgresStore } from '../../src/server/store/postgres.js';
import { LIVENESS_CLASS } from '../../src/server/store/postgres-liveness.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from './pg.js';

const SOURCE = 's3://trail';
const objects = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ key: `k${String(from + i).padStart(4, '0')}`, fingerprint: 'etag' }));
const file = (key: string) => ({ source: SOURCE, key, fingerprint: 'etag', records: 1, badRecords: 0 });

let schema: TestSchema;
const opened: ViolationStore[] = [];
async function replica(leaseSeconds = 60): Promise<ViolationStore> {
  const store = await openStore(schema.url, { leaseSeconds, poolSize: 3 });
  opened.push(store);
  return store;
}
/** Ends the replica's connections without releasing anything, as a killed process would. */
async function kill(store: ViolationStore): Promise<void> {
  await (store as PostgresStore).pool.end();
}
/** Waits until `test` holds (the terminated backend ends a moment after pg_terminate_backend answers). */
async function until(test: () => Promise<boolean>, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
}
const leaseRows = async () =>
  (await schema.query<{ key: string; owner: string }>('SELECT key, owner FROM ingest_lease ORDER BY key')).rows;

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('PostgreSQL leases on listed objects'), () => {
  beforeEach(() => {
    schema = testSchema();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await schema.drop();
  });

  it('splits concurrent claims of the same objects between replicas, each object to exactly one', async () => {
    const replicas = await Promise.all([replica(), replica(), replica()]);
    const all = objects(300);
    const chunks = (from: number) =>
      Array.from({ length: 20 }, (_, i) => all.slice((i * 15 + from) % 300).slice(0, 15));
    const results = await Promise.all(
      replicas.map(async (store, r) => {
        const mine: string[] = [];
        for (const chunk of chunks(r * 100)) mine.push(...(await store.claimObjects(SOURCE, chunk)).claimed);
        return mine;
      }),
    );
    const claimed = results.flat();
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.sort()).toEqual(all.map((o) => o.key));
    expect(replicas.map((store) => store.claimStatus().held)).toEqual(results.map((r) => r.length));
    expect(await leaseRows()).toHaveLength(300);
  });

  it("takes over a dead replica's objects once their leases expire, and not before", async () => {
    const [dead, live] = [await replica(2), await replica(2)];
    expect((await dead.claimObjects(SOURCE, objects(5))).claimed.size).toBe(5);
    await kill(dead);
    expect((await live.claimObjects(SOURCE, objects(5))).claimed.size).toBe(0);
    await sleep(2300);
    const taken = await live.claimObjects(SOURCE, objects(5));
    expect(taken.claimed.size).toBe(5);
    expect(new Set((await leaseRows()).map((row) => row.owner))).toEqual(new Set([live.claimStatus().owner]));
  });

  it("takes over at once the objects of a replica whose database session ended, as a killed process's does", async () => {
    const [dead, live] = [await replica(60), await replica(60)];
    expect((await dead.claimObjects(SOURCE, objects(5))).claimed.size).toBe(5);
    // Alive: its liveness lock is held, so its leases are live although the pool is gone.
    await kill(dead);
    expect((await live.claimObjects(SOURCE, objects(5))).claimed.size).toBe(0);
    // The process dies: its sessions end with it, and the lock its leases name goes with them.
    const { rows } = await schema.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(k.pid))::int AS n FROM pg_locks k
        WHERE k.locktype = 'advisory' AND k.classid = $1 AND k.objsubid = 2
          AND k.objid::bigint IN (SELECT liveness_lock FROM ingest_lease)`,
      [LIVENESS_CLASS],
    );
    expect(rows).toEqual([{ n: 1 }]);
    await until(async () => (await live.claimObjects(SOURCE, objects(5))).claimed.size === 5);
    expect(new Set((await leaseRows()).map((row) => row.owner))).toEqual(new Set([live.claimStatus().owner]));
  });

  it('renews the leases a live replica holds beyond their length, and only those', async () => {
    const [holder, other] = [await replica(2), await replica(2)];
    await holder.claimObjects(SOURCE, objects(3));
    await sleep(3000);
    expect((await other.claimObjects(SOURCE, objects(3))).claimed.size).toBe(0);
    // Committed files leave the lease table in the commit's transaction; the rest stay held.
    await holder.commitFiles([
      { file: file('k0000'), drafts: [] },
      { file: file('k0001'), drafts: [] },
    ]);
    expect((await leaseRows()).map((row) => row.key)).toEqual(['k0002']);
    expect(holder.claimStatus()).toMatchObject({ held: 1, leaseSeconds: 2 });
    expect(await other.claimObjects(SOURCE, objects(3))).toEqual({
      claimed: new Set(),
      done: new Set(['k0000', 'k0001']),
    });
  });

  it('hands its leases on at once when closed, and drops them with a recorded failure or a release', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.claimObjects(SOURCE, objects(4));
    await a.recordIngestFailure({ source: SOURCE, key: 'k0000', fingerprint: 'etag', reason: 'not CloudTrail' });
    await a.releaseObjects(SOURCE, ['k0001']);
    expect((await leaseRows()).map((row) => row.key)).toEqual(['k0002', 'k0003']);
    expect([...(await b.claimObjects(SOURCE, objects(4))).claimed].sort()).toEqual(['k0000', 'k0001']);
    await a.close();
    expect([...(await b.claimObjects(SOURCE, objects(4))).claimed].sort()).toEqual(['k0002', 'k0003']);
    expect(b.claimStatus().held).toBe(4);
  });

  it('takes its own leases again when a release failed (the database was away), not waiting for them to expire', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.claimObjects(SOURCE, objects(3));
    // A pass that failed with the database gone forgot its claims, and could not delete their rows.
    const stranded = (a as PostgresStore).pool;
    const query = stranded.query.bind(stranded);
    (stranded as { query: unknown }).query = () => Promise.reject(new Error('Connection terminated unexpectedly'));
    await a.releaseObjects(SOURCE, ['k0000', 'k0001', 'k0002']).catch(() => undefined);
    (stranded as { query: unknown }).query = query;
    expect(a.claimStatus().held).toBe(0);
    expect(await leaseRows()).toHaveLength(3);
    expect((await b.claimObjects(SOURCE, objects(3))).claimed.size).toBe(0);
    expect([...(await a.claimObjects(SOURCE, objects(3))).claimed].sort()).toEqual(['k0000', 'k0001', 'k0002']);
    expect(a.claimStatus().held).toBe(3);
  });

  it('reports a file committed while its claim waited on the lease row as done, not claimed', async () => {
    const b = await replica();
    // A replica whose lease ran out commits the file: its transaction deletes the (expired) lease and records the
    // file, and is held open between those writes and COMMIT.
    await schema.query(
      "INSERT INTO ingest_lease (source, key, owner, expires_at) VALUES ($1, 'k0000', 'slow', now() - interval '1 second')",
      [SOURCE],
    );
    const commit = new pg.Client({ connectionString: schema.url });
    await commit.connect();
    try {
      await commit.query('BEGIN');
      await commit.query("DELETE FROM ingest_lease WHERE key = 'k0000'");
      await commit.query(
        "INSERT INTO processed_file (source, key, fingerprint, records, bad_records, processed_at) VALUES ($1, 'k0000', 'etag', 1, 0, 0)",
        [SOURCE],
      );
      const claim = b.claimObjects(SOURCE, objects(1));
      // B's claim sees the expired lease and no file; it takes the lease row's lock and waits for the commit.
      await sleep(300);
      await commit.query('COMMIT');
      expect(await claim).toEqual({ claimed: new Set(), done: new Set(['k0000']) });
    } finally {
      await commit.end();
    }
    expect(b.claimStatus().held).toBe(0);
    expect(await leaseRows()).toEqual([]);
  });

  it('leaves out objects held by a live lease without waiting on their rows', async () => {
    const [a, b] = [await replica(), await replica()];
    await a.claimObjects(SOURCE, objects(2));
    // A lock on A's lease row (as a commit deleting it would take) does not hold B's claim up.
    const locker = new pg.Client({ connectionString: schema.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query("SELECT * FROM ingest_lease WHERE key = 'k0000' FOR UPDATE");
      const started = Date.now();
      expect([...(await b.claimObjects(SOURCE, objects(3))).claimed]).toEqual(['k0002']);
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
  });

  it("keeps a rolled-back commit's leases held", async () => {
    const a = await replica();
    await a.claimObjects(SOURCE, objects(1));
    const bad = { eventId: 'e', accountId: null as unknown as string, region: 'eu-west-1', type: 'WRONG_REGION' };
    await expect(a.commitFiles([{ file: file('k0000'), drafts: [bad] }])).rejects.toThrow();
    expect(a.claimStatus().held).toBe(1);
    expect(await leaseRows()).toHaveLength(1);
  });
});
