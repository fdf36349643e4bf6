/**
 * Whether the process holding a lease (or a claim on pending evaluations) is still alive, judged by PostgreSQL
 * itself. A process that claims keeps one connection of its own holding a session-level advisory lock
 * (`LIVENESS_CLASS`, a random key) and writes the key on its leases and claims. When the process dies (SIGKILL, out
 * of memory, a crash), the kernel closes its socket, its backend ends and the lock goes with it: its leases and
 * claims are free at once instead of when they expire, so that a restarted `fullstop ingest` does not wait out the
 * leases of the run it replaces (60 s by default), nor leave the evaluations it was retrying untouched for the
 * claim's 5 minutes. A row without a key, or one whose holder cannot be told dead this way (its host lost, its
 * connection not yet closed), lasts until it expires, as before; a key reused by another live process only makes a
 * dead holder's rows last until they expire too.
 */
import { randomInt } from 'node:crypto';
import pg from 'pg';
import type { Pool } from './postgres-pool.js';

/** First key of the two-key advisory locks of live lease holders: "fsli" in ASCII, recognisable in pg_locks. */
export const LIVENESS_CLASS = 0x66736c69;

/** SQL: whether the liveness lock whose second key is in `column` is held in this database (by a live process). */
export function lockHeld(column: string): string {
  return `EXISTS (
    SELECT 1 FROM pg_locks k
      WHERE k.locktype = 'advisory' AND k.classid = ${LIVENESS_CLASS} AND k.objsubid = 2 AND k.granted
        AND k.objid::bigint = ${column}
        AND k.database = (SELECT oid FROM pg_database WHERE datname = current_database()))`;
}

/**
 * SQL: whether the lease row `alias` is live: not expired, and its holder's lock (when it has one) still held.
 * pg_locks shows two-key advisory locks with the first key as classid, the second as objid.
 */
export function liveLease(alias: string): string {
  return `(${alias}.expires_at >= now() AND (${alias}.liveness_lock IS NULL OR ${lockHeld(`${alias}.liveness_lock`)}))`;
}

/** After a failed attempt to connect, claims go without a key for this long before the next attempt. */
const RETRY_MS = 5_000;

export class Liveness {
  private client: pg.Client | undefined;
  private held: number | undefined;
  private opening: Promise<void> | undefined;
  private notBefore = 0;
  private closed = false;

  /** The connection is opened like the pool's (same URL, options and credentials). */
  constructor(private readonly pool: Pool) {}

  /**
   * The key of the lock this process holds, taking one first if need be; null while it has none (the database
   * unreachable: then its leases last until they expire, and claims are not held up by a connection attempt).
   */
  async key(): Promise<number | null> {
    if (this.held !== undefined || this.closed) return this.held ?? null;
    if (this.opening === undefined && Date.now() >= this.notBefore)
      this.opening = this.take().finally(() => (this.opening = undefined));
    await this.opening;
    return this.held ?? null;
  }

  private async take(): Promise<void> {
    const client = new pg.Client(this.pool.options);
    // A connection lost while idle is reported as 'error' (which would end the process without a listener).
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      for (let attempt = 0; attempt < 5 && !this.closed; attempt++) {
        const key = randomInt(1, 2 ** 31 - 1);
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
          LIVENESS_CLASS,
          key,
        ]);
        if (rows[0]?.ok === true) {
          this.client = client;
          this.held = key;
          return;
        }
      }
    } catch {
      // Unreachable or refused: leases go without a key until the next attempt.
    }
    this.notBefore = Date.now() + RETRY_MS;
    await client.end().catch(() => {});
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.held = undefined;
  }

  /** Ends the connection, which releases the lock. */
  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    const client = this.client;
    this.client = undefined;
    this.held = undefined;
    await client?.end().catch(() => {});
  }
}
