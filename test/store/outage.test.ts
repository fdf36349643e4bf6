/**
 * Which errors of the databases themselves count as the store being unavailable (the API's 503, or 502 when a
 * write may have been applied), and which are bugs (500), and how ingest words them. Every error here is a real one,
 * made by the driver, except at the end: the SQLSTATEs a test cannot provoke on a shared server (starting up, out of
 * connections), shaped as the driver makes them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { describe, it, expect } from 'vitest';
import {
  NoConnectionError,
  outageOf,
  outageReason,
  reportingOutages,
  StoreUnavailableError,
} from '../../src/server/store/outage.js';
import { createPool } from '../../src/server/store/postgres-pool.js';
import { openStore } from '../../src/server/store/open-store.js';
import { PG_SKIP_REASON, PG_URL, pgTitle } from './pg.js';

const failure = async (fn: () => unknown): Promise<unknown> => {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
};

describe('store outages: SQLite', () => {
  it('counts a database locked by another writer as unavailable, nothing applied; a constraint as a bug', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fullstop-outage-'));
    const [a, b] = [new Database(join(dir, 'x.db')), new Database(join(dir, 'x.db'), { timeout: 0 })];
    try {
      a.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      a.exec('BEGIN IMMEDIATE');
      const busy = await failure(() => b.exec('INSERT INTO t VALUES (1)'));
      expect((busy as { code: string }).code).toBe('SQLITE_BUSY');
      expect(outageOf(busy)).toEqual({ maybeApplied: false });
      a.exec('INSERT INTO t VALUES (1)');
      expect(outageOf(await failure(() => a.exec('INSERT INTO t VALUES (1)')))).toBeUndefined();
    } finally {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes a store's other errors unchanged, and wraps outages with their cause", async () => {
    const store = await openStore('sqlite::memory:');
    await store.close();
    // A closed store is a bug of the caller, not an outage.
    const closed = await failure(() => store.listViolationTypes());
    expect(closed).not.toBeInstanceOf(StoreUnavailableError);
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const wrapped = reportingOutages({
      ...store,
      listViolationTypes: () => Promise.reject(busy),
    } as typeof store);
    const error = await failure(() => wrapped.listViolationTypes());
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(error).toMatchObject({
      maybeApplied: false,
      cause: busy,
      message: 'the store is unavailable: database is locked',
    });
  });
});

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('store outages: PostgreSQL'), () => {
  it('counts a refused connection as unavailable, nothing sent', async () => {
    const pool = createPool('postgres://postgres@127.0.0.1:1/test');
    try {
      const refused = await failure(() => pool.query('SELECT 1'));
      expect(outageOf(refused)).toEqual({ maybeApplied: false });
      expect(outageReason(new StoreUnavailableError(refused, false))).toMatch(
        /^could not connect to the PostgreSQL server: it refused the connection, it is down or restarting \(connect ECONNREFUSED 127\.0\.0\.1:1\)$/,
      );
    } finally {
      await pool.end();
    }
  });

  it('counts a session the server terminated as unavailable (an error answer: nothing applied), SQL errors as bugs', async () => {
    const pool = createPool(PG_URL!, 2);
    try {
      const victim = await pool.connect();
      const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      victim.on('error', () => {});
      const sleeping = failure(() => victim.query('SELECT pg_sleep(10)'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      const terminated = await sleeping;
      victim.release(true);
      expect((terminated as { code?: string }).code).toBe('57P01');
      expect(outageOf(terminated)).toEqual({ maybeApplied: false });
      expect(outageReason(terminated)).toBe(
        'the PostgreSQL server ended the connection: terminating connection due to administrator command (57P01: shut down or restarting)',
      );
      expect(outageOf(await failure(() => pool.query('SELEC 1')))).toBeUndefined();
    } finally {
      await pool.end();
    }
  });

  it('counts a connection lost under a statement as unavailable, possibly applied', async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    client.on('error', () => {});
    const pending = failure(() => client.query('SELECT pg_sleep(10)'));
    (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    const lost = await pending;
    expect(outageOf(lost)).toEqual({ maybeApplied: true });
    expect(outageReason(new StoreUnavailableError(lost, true))).toBe(
      'the PostgreSQL server closed the connection (Connection terminated unexpectedly)',
    );
    await client.end().catch(() => {});
  });
});

describe('outage reasons, in words', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
  it.each([
    [
      pgError('57P03', 'the database system is starting up'),
      'the PostgreSQL server accepts no connections yet: the database system is starting up (57P03)',
    ],
    [
      pgError('53300', 'sorry, too many clients already'),
      'the PostgreSQL server is out of resources: sorry, too many clients already (53300)',
    ],
    [
      pgError('08006', 'connection failure'),
      'the connection to the PostgreSQL server failed: connection failure (08006)',
    ],
    [
      new Error('timeout exceeded when trying to connect'),
      'no answer from the PostgreSQL server in time (timeout exceeded when trying to connect)',
    ],
    [
      new NoConnectionError(new Error('timeout exceeded when trying to connect')),
      'could not connect to the PostgreSQL server in time (timeout exceeded when trying to connect)',
    ],
  ])('%s', (cause, reason) => {
    expect(outageReason(new StoreUnavailableError(cause, false))).toBe(reason);
  });
});
