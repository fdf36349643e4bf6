/**
 * Write transactions of the SQLite store that wait for another process's write lock without blocking the thread.
 * SQLite's own busy handler sleeps inside the call: while another process (a `fullstop ingest`, a backup, the
 * sqlite3 shell) holds the lock, every write would freeze the server's event loop for up to the busy timeout, and
 * with it /health and every read. Here each attempt waits at most ATTEMPT_MS in SQLite, and the attempts are
 * spaced by timers until BUSY_TIMEOUT_MS have passed; then, and on the disk filling up or an I/O error, the write
 * fails with a StoreWriteError saying so. The transaction has rolled back by then: nothing of it was kept.
 */
import type Database from 'better-sqlite3';
import { setTimeout as delay } from 'node:timers/promises';
import { StoreWriteError } from './store-errors.js';
import { BUSY_TIMEOUT_MS } from './sqlite-open.js';

const ATTEMPT_MS = 10;
const MAX_PAUSE_MS = 100;

export class SqliteWriter {
  constructor(
    private readonly db: Database.Database,
    private readonly timeoutMs = BUSY_TIMEOUT_MS,
  ) {}

  // Not prepared once: SQLite applies PRAGMA busy_timeout while preparing it, so a prepared one does nothing when run.
  private shortWait(): void {
    this.db.pragma(`busy_timeout = ${ATTEMPT_MS}`);
  }

  private longWait(): void {
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }

  /**
   * Runs `fn` in a transaction that takes the write lock first (BEGIN IMMEDIATE: a transaction that reads first
   * and writes later fails at once with SQLITE_BUSY_SNAPSHOT when another connection committed in between).
   */
  async transaction<T>(fn: () => T): Promise<T> {
    const started = performance.now();
    const body = () => {
      // Taken: a lock wait inside the transaction (a checkpoint) may use the whole timeout again.
      this.longWait();
      return fn();
    };
    for (let attempt = 0; ; attempt += 1) {
      this.shortWait();
      try {
        return this.db.transaction(body).immediate();
      } catch (error) {
        if (!isBusy(error) || performance.now() - started >= this.timeoutMs)
          throw storeWriteError(error, this.timeoutMs);
      } finally {
        this.longWait();
      }
      await delay(Math.min(MAX_PAUSE_MS, 2 ** attempt));
    }
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function isBusy(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED';
}

/** The error to report for a failed write: a StoreWriteError for trouble outside the request, else as it is. */
export function storeWriteError(error: unknown, timeoutMs = BUSY_TIMEOUT_MS): unknown {
  const code = codeOf(error);
  const message = (error as Error).message;
  if (isBusy(error))
    return new StoreWriteError(
      'locked',
      `the database is locked: another connection held its write lock for more than ${timeoutMs / 1000} s (${code})`,
      { cause: error },
    );
  if (code === 'SQLITE_FULL')
    return new StoreWriteError('disk-full', `the disk holding the database is full (${code}: ${message})`, {
      cause: error,
    });
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN')
    return new StoreWriteError('io', `the database could not be written (${code}: ${message})`, { cause: error });
  if (code.startsWith('SQLITE_READONLY'))
    return new StoreWriteError('read-only', `the database is read-only (${code}: ${message})`, { cause: error });
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB')
    return new StoreWriteError('corrupt', `the database file is damaged (${code}: ${message})`, { cause: error });
  return error;
}
