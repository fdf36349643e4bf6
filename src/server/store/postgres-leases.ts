/**
 * Leases on listed objects (`ingest_lease`, 006-ingest-lease.sql), so that server replicas ingesting the same S3
 * prefix split it: a replica claims a batch of objects before reading them. A claim is an
 * `INSERT … ON CONFLICT DO UPDATE … WHERE <not live>`: it takes objects nobody holds, those whose lease expired and
 * those whose holder died (postgres-liveness.ts), never another replica's live one, and skips objects committed
 * meanwhile. Its own live leases that it no longer holds it takes again: a pass that failed while the database was
 * unreachable could not drop them, and its next pass would otherwise wait for its own leases to expire. Objects
 * its snapshot shows held are left out before the insert (ON CONFLICT DO UPDATE would lock each such row only to
 * find it live). Expiry is judged by the database's clock, so replicas' clocks do not matter. While this process
 * holds leases it renews them every third of their length; a commit deletes the leases of its files in its own
 * transaction (postgres.ts). */
import type { ClaimStatus, ObjectClaims } from './store.js';
import { claimOwner, HeldClaims } from './claims.js';
import { liveLease, type Liveness } from './postgres-liveness.js';
import { pgText, retried, type Pool, type Queryable } from './postgres-pool.js';

/** Default lease length: long enough to ride out a few failed renewals, short enough to recover a dead replica's work soon. */
export const DEFAULT_LEASE_SECONDS = 60;

// Every statement names its keys and looks each one up through LATERAL … LIMIT 1, which the planner cannot turn into
// a join: one primary-key probe per key, whatever the statistics say (a scan of the source's rows, which a stale
// estimate favours, would read every file and every dead lease of the source for each claim).
const CLAIM = `
  WITH wanted AS (
    SELECT w.key, p.key IS NOT NULL AS done, l.key IS NOT NULL AS held
      FROM unnest($2::text[], $3::text[]) AS w(key, fingerprint)
      LEFT JOIN LATERAL (
        SELECT p.key FROM processed_file p
          WHERE p.source = $1 AND p.key = w.key AND p.fingerprint = w.fingerprint LIMIT 1
      ) p ON true
      LEFT JOIN LATERAL (
        SELECT l.key FROM ingest_lease l
          WHERE l.source = $1 AND l.key = w.key AND ${liveLease('l')} AND l.owner <> $4 LIMIT 1
      ) l ON true
  ),
  claimed AS (
    INSERT INTO ingest_lease (source, key, owner, expires_at, liveness_lock)
      SELECT $1, key, $4, now() + $5 * interval '1 millisecond', $6::integer FROM wanted
        WHERE NOT done AND NOT held ORDER BY key
      ON CONFLICT (source, key) DO UPDATE
        SET owner = excluded.owner, expires_at = excluded.expires_at, liveness_lock = excluded.liveness_lock
        WHERE NOT ${liveLease('ingest_lease')} OR ingest_lease.owner = excluded.owner
      RETURNING key
  )
  SELECT key, true AS claimed FROM claimed UNION ALL SELECT key, false FROM wanted WHERE done`;

/** The rows of this owner's leases on the keys `$3` of source `$2` (owner `$1`), by ctid: a TID scan to update. */
const OWN_ROWS = `ctid = ANY(ARRAY(
  SELECT l.ctid FROM unnest($3::text[]) AS k(key)
    CROSS JOIN LATERAL (
      SELECT ctid FROM ingest_lease l WHERE l.source = $2 AND l.key = k.key AND l.owner = $1 LIMIT 1
    ) l))`;

/** Of the keys `$3` (fingerprints `$4`) this owner just claimed, drops the leases of those committed meanwhile. */
const UNCLAIM_COMMITTED = `
  DELETE FROM ingest_lease WHERE ctid = ANY(ARRAY(
    SELECT l.ctid FROM unnest($3::text[], $4::text[]) AS k(key, fingerprint)
      CROSS JOIN LATERAL (
        SELECT 1 FROM processed_file p
          WHERE p.source = $2 AND p.key = k.key AND p.fingerprint = k.fingerprint LIMIT 1
      ) p
      CROSS JOIN LATERAL (
        SELECT ctid FROM ingest_lease l WHERE l.source = $2 AND l.key = k.key AND l.owner = $1 LIMIT 1
      ) l))
    RETURNING key`;

export class PostgresLeases {
  readonly owner = claimOwner();
  private readonly held = new HeldClaims();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  /** `liveness` shows this process alive; its owner (the store) closes it. */
  constructor(
    private readonly pool: Pool,
    private readonly leaseMs: number,
    private readonly liveness: Liveness,
  ) {}

  async claim(source: string, objects: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<ObjectClaims> {
    const claims: ObjectClaims = { claimed: new Set(), done: new Set() };
    // Objects this process holds already are not claimed twice (reported as neither claimed nor done, as another
    // holder's); the query takes its own leases again only where it forgot them (a release that failed).
    objects = objects.filter(({ key }) => !this.held.has(source, key));
    if (objects.length === 0) return claims;
    // Keys as PostgreSQL stores them (no NUL), mapped back to the keys the caller knows.
    const original = new Map<string, string>();
    const fingerprints = new Map<string, string>();
    for (const { key, fingerprint } of objects) {
      original.set(pgText(key), key);
      fingerprints.set(pgText(key), pgText(fingerprint));
    }
    // The liveness lock is taken before the first lease is written: a lease never names a lock not yet held.
    const values = [
      pgText(source),
      [...fingerprints.keys()],
      [...fingerprints.values()],
      this.owner,
      this.leaseMs,
      await this.liveness.key(),
    ];
    // Two statements, each its own transaction (one round trip each; the second only when something was claimed).
    const claimed = (await retried(() => this.pool.query<{ key: string; claimed: boolean }>(CLAIM, values))).rows;
    const mine = claimed.filter((row) => row.claimed).map((row) => row.key);
    let rows = claimed;
    if (mine.length > 0) {
      // A lease the claim waited for may have gone with its file's commit, which the claim's snapshot (taken
      // before) did not show: a later statement's snapshot does. Such files are done, not claimed.
      const committed = await this.pool.query<{ key: string }>(UNCLAIM_COMMITTED, [
        this.owner,
        pgText(source),
        mine,
        mine.map((key) => fingerprints.get(key)!),
      ]);
      const done = new Set(committed.rows.map((row) => row.key));
      if (done.size > 0) rows = claimed.map((row) => (done.has(row.key) ? { key: row.key, claimed: false } : row));
    }
    for (const row of rows) (row.claimed ? claims.claimed : claims.done).add(original.get(row.key) ?? row.key);
    this.held.add(source, claims.claimed);
    if (this.held.size > 0) this.startRenewing();
    return claims;
  }

  /** Drops this process's leases on `keys`. */
  async release(source: string, keys: Iterable<string>): Promise<void> {
    const gone = this.held.delete(source, keys);
    if (this.held.size === 0) this.stopRenewing();
    if (gone.length > 0) await deleteLeases(this.pool, this.owner, source, gone);
  }

  /**
   * Inside a commit's transaction: deletes this process's leases on the committed files. Returns what to call once
   * the transaction committed (the leases are forgotten only then: a rolled-back commit still holds them).
   */
  async releaseInCommit(db: Queryable, files: ReadonlyArray<{ source: string; key: string }>): Promise<() => void> {
    const bySource = new Map<string, string[]>();
    for (const { source, key } of files) {
      if (!this.held.has(source, key)) continue;
      const keys = bySource.get(source);
      if (keys === undefined) bySource.set(source, [key]);
      else keys.push(key);
    }
    for (const [source, keys] of bySource) await deleteLeases(db, this.owner, source, keys);
    return () => {
      for (const [source, keys] of bySource) this.held.delete(source, keys);
      if (this.held.size === 0) this.stopRenewing();
    };
  }

  status(): ClaimStatus {
    return { owner: this.owner, held: this.held.size, leaseSeconds: this.leaseMs / 1000 };
  }

  /** Stops renewing and deletes every lease this process holds (a graceful shutdown hands them on at once). */
  async close(): Promise<void> {
    this.stopRenewing();
    const held = this.held.bySource();
    this.held.clear();
    for (const [source, keys] of held) await deleteLeases(this.pool, this.owner, source, keys);
  }

  private startRenewing(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => void this.renew(), this.leaseMs / 3);
    this.timer.unref();
  }

  private stopRenewing(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * Extends the leases this process holds (only those: a lease it gave up but could not delete expires), naming the
   * liveness lock it holds now (a new one after its connection broke, or none). A failure (the database
   * unreachable) is left to the next tick: leases that expire meanwhile may be taken over, and the commit's
   * `processed_file` claim still counts each file once.
   */
  private async renew(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    try {
      const lock = await this.liveness.key();
      for (const [source, keys] of this.held.bySource())
        await this.pool.query(
          `UPDATE ingest_lease SET expires_at = now() + $4 * interval '1 millisecond', liveness_lock = $5::integer
            WHERE ${OWN_ROWS}`,
          [this.owner, pgText(source), keys.map((key) => pgText(key)), this.leaseMs, lock],
        );
    } catch {
      // Retried at the next tick; /health reports the store meanwhile.
    } finally {
      this.renewing = false;
    }
  }
}

async function deleteLeases(db: Queryable, owner: string, source: string, keys: string[]): Promise<void> {
  await db.query(`DELETE FROM ingest_lease WHERE ${OWN_ROWS}`, [owner, pgText(source), keys.map((key) => pgText(key))]);
}
