/**
 * Leases on listed objects (`ingest_lease`, 006-ingest-lease.sql), so that server replicas ingesting the same S3
 * prefix split it: a replica claims a few objects at a time before reading them. A claim is an
 * `INSERT … ON CONFLICT DO UPDATE … WHERE expires_at < now()`: it takes objects nobody holds and those whose lease
 * expired (a replica that died), never a live one, and skips objects committed meanwhile. Expiry is judged by the
 * database's clock, so replicas' clocks do not matter. While this process holds leases it renews them every third
 * of their length; a commit deletes the leases of its files in its own transaction (postgres.ts).
 */
import type { ClaimStatus, ObjectClaims } from './store.js';
import { claimOwner, HeldClaims } from './claims.js';
import { pgText, retried, type Pool, type Queryable } from './postgres-pool.js';

/** Default lease length: long enough to ride out a few failed renewals, short enough to recover a dead replica's work soon. */
export const DEFAULT_LEASE_SECONDS = 60;

const CLAIM = `
  WITH wanted AS (SELECT * FROM unnest($2::text[], $3::text[]) AS t(key, fingerprint)),
  done AS (
    SELECT w.key FROM wanted w
      JOIN processed_file p ON p.source = $1 AND p.key = w.key AND p.fingerprint = w.fingerprint
  ),
  claimed AS (
    INSERT INTO ingest_lease (source, key, owner, expires_at)
      SELECT $1, w.key, $4, now() + $5 * interval '1 millisecond' FROM wanted w
        WHERE w.key NOT IN (SELECT key FROM done) ORDER BY w.key
      ON CONFLICT (source, key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE ingest_lease.expires_at < now()
      RETURNING key
  )
  SELECT key, true AS claimed FROM claimed UNION ALL SELECT key, false FROM done`;

const UNCLAIM_COMMITTED = `
  DELETE FROM ingest_lease l USING unnest($2::text[], $3::text[]) AS t(key, fingerprint), processed_file p
    WHERE l.source = $1 AND l.key = t.key AND l.owner = $4
      AND p.source = $1 AND p.key = t.key AND p.fingerprint = t.fingerprint
    RETURNING l.key`;

export class PostgresLeases {
  readonly owner = claimOwner();
  private readonly held = new HeldClaims();
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;

  constructor(
    private readonly pool: Pool,
    private readonly leaseMs: number,
  ) {}

  async claim(source: string, objects: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<ObjectClaims> {
    const claims: ObjectClaims = { claimed: new Set(), done: new Set() };
    if (objects.length === 0) return claims;
    // Keys as PostgreSQL stores them (no NUL), mapped back to the keys the caller knows.
    const original = new Map<string, string>();
    const fingerprints = new Map<string, string>();
    for (const { key, fingerprint } of objects) {
      original.set(pgText(key), key);
      fingerprints.set(pgText(key), pgText(fingerprint));
    }
    const values = [pgText(source), [...fingerprints.keys()], [...fingerprints.values()], this.owner, this.leaseMs];
    // Two statements, each its own transaction (one round trip each; the second only when something was claimed).
    const claimed = (await retried(() => this.pool.query<{ key: string; claimed: boolean }>(CLAIM, values))).rows;
    const mine = claimed.filter((row) => row.claimed).map((row) => row.key);
    let rows = claimed;
    if (mine.length > 0) {
      // A lease the claim waited for may have gone with its file's commit, which the claim's snapshot (taken
      // before) did not show: a later statement's snapshot does. Such files are done, not claimed.
      const committed = await this.pool.query<{ key: string }>(UNCLAIM_COMMITTED, [
        pgText(source),
        mine,
        mine.map((key) => fingerprints.get(key)!),
        this.owner,
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
    if (this.held.size === 0) return;
    this.held.clear();
    await this.pool.query('DELETE FROM ingest_lease WHERE owner = $1', [this.owner]);
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
   * Extends the leases this process holds (only those: a lease it gave up but could not delete expires). A failure
   * (the database unreachable) is left to the next tick: leases that expire meanwhile may be taken over, and the
   * commit's `processed_file` claim still counts each file once.
   */
  private async renew(): Promise<void> {
    if (this.renewing || this.held.size === 0) return;
    this.renewing = true;
    const { sources, keys } = this.held.list();
    try {
      await this.pool.query(
        `UPDATE ingest_lease l SET expires_at = now() + $2 * interval '1 millisecond'
          FROM unnest($3::text[], $4::text[]) AS h(source, key)
          WHERE l.owner = $1 AND l.source = h.source AND l.key = h.key`,
        [this.owner, this.leaseMs, sources.map((v) => pgText(v)), keys.map((v) => pgText(v))],
      );
    } catch {
      // Retried at the next tick; /health reports the store meanwhile.
    } finally {
      this.renewing = false;
    }
  }
}

async function deleteLeases(db: Queryable, owner: string, source: string, keys: string[]): Promise<void> {
  await db.query('DELETE FROM ingest_lease WHERE owner = $1 AND source = $2 AND key = ANY($3::text[])', [
    owner,
    pgText(source),
    keys.map((key) => pgText(key)),
  ]);
}
