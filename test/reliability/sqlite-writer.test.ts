/**
 * The SQLite store's writes while another connection holds the write lock: they wait without blocking the thread
 * (timers keep firing, so a server keeps answering), succeed once the lock is released in time, and otherwise fail
 * with a StoreWriteError that says so, having written nothing. Before, SQLite's busy handler slept inside the call:
 * the thread froze for the whole busy timeout (5 s) on every write attempt.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/server/store/sqlite-open.js';
import { SqliteWriter, storeWriteError } from '../../src/server/store/sqlite-write.js';
import { StoreWriteError } from '../../src/server/store/store-errors.js';

const dir = mkdtempSync(join(tmpdir(), 'fullstop-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function twoConnections(name: string) {
  const path = join(dir, name);
  const db = openSqlite(path);
  db.exec('CREATE TABLE t (x INTEGER)');
  const other = new Database(path);
  return { db, other, count: () => db.prepare('SELECT COUNT(*) FROM t').pluck().get() as number };
}

/** Counts timer ticks (every 10 ms) while `work` runs: a blocked thread does not tick. */
async function ticksDuring<T>(work: Promise<T>): Promise<{ value: T | Error; ticks: number; ms: number }> {
  let ticks = 0;
  const timer = setInterval(() => (ticks += 1), 10);
  const started = performance.now();
  const value = await work.catch((error: Error) => error);
  clearInterval(timer);
  return { value, ticks, ms: performance.now() - started };
}

describe('SQLite writes beside another writer', () => {
  it('waits for the lock without blocking the thread, and commits once it is released', async () => {
    const { db, other, count } = twoConnections('released.db');
    other.exec('BEGIN EXCLUSIVE');
    setTimeout(() => other.exec('ROLLBACK'), 400);
    const writer = new SqliteWriter(db, 5000);
    const { value, ticks, ms } = await ticksDuring(writer.transaction(() => void db.exec('INSERT INTO t VALUES (1)')));
    expect(value).toBeUndefined();
    expect(ms).toBeGreaterThanOrEqual(350);
    // About 40 ticks in 400 ms on an idle thread; a blocked one would have none.
    expect(ticks).toBeGreaterThan(10);
    expect(count()).toBe(1);
  });

  it('fails with StoreWriteError after the timeout, writing nothing', async () => {
    const { db, other, count } = twoConnections('held.db');
    other.exec('BEGIN EXCLUSIVE');
    const writer = new SqliteWriter(db, 500);
    const { value, ticks } = await ticksDuring(writer.transaction(() => void db.exec('INSERT INTO t VALUES (1)')));
    other.exec('ROLLBACK');
    expect(value).toBeInstanceOf(StoreWriteError);
    expect(value).toMatchObject({
      trouble: 'locked',
      message: 'the database is locked: another connection held its write lock for more than 0.5 s (SQLITE_BUSY)',
    });
    expect(ticks).toBeGreaterThan(10);
    expect(count()).toBe(0);
    expect(db.inTransaction).toBe(false);
    // The connection waits the full busy timeout again for anything else.
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('names disk, I/O, read-only and corrupt-file failures, and leaves other errors alone', () => {
    const sqliteError = (code: string) => Object.assign(new Error('sqlite says no'), { code });
    expect(storeWriteError(sqliteError('SQLITE_FULL'))).toMatchObject({ trouble: 'disk-full' });
    expect(storeWriteError(sqliteError('SQLITE_IOERR_WRITE'))).toMatchObject({ trouble: 'io' });
    expect(storeWriteError(sqliteError('SQLITE_READONLY'))).toMatchObject({ trouble: 'read-only' });
    expect(storeWriteError(sqliteError('SQLITE_CORRUPT'))).toMatchObject({ trouble: 'corrupt' });
    const constraint = sqliteError('SQLITE_CONSTRAINT_UNIQUE');
    expect(storeWriteError(constraint)).toBe(constraint);
  });
});
