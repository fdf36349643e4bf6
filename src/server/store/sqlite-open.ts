/**
 * Opens (creating it if needed) and migrates a SQLite file for the store, safely when several processes open the
 * same new file at once (a `fullstop server` and a `fullstop ingest` started together).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from './sqlite-migrate.js';

/** How long a connection waits for another one's write lock before failing with "database is locked". */
export const BUSY_TIMEOUT_MS = 5000;
const WAL_RETRY_MS = 20;

export function openSqlite(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // First, so that migrating waits for another process opening the same file.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  enableWal(db);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Switching a new file to WAL needs it alone, and SQLite answers SQLITE_BUSY at once instead of waiting: retry. */
function enableWal(db: Database.Database): void {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += WAL_RETRY_MS) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || waited >= BUSY_TIMEOUT_MS) throw error;
      Atomics.wait(pause, 0, 0, WAL_RETRY_MS);
    }
  }
}
