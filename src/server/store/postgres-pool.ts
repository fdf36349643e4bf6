/**
 * The connection pool of the PostgreSQL store, and the small helpers every PostgreSQL module shares: bigint as a
 * JS number, transactions retried on deadlock, text without NUL, and URLs without their password.
 */
import pg from 'pg';
import { NoConnectionError } from './outage.js';

export { redactUrl } from './db-url.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** A pool or one of its clients: both run queries. */
export type Queryable = Pick<pg.Pool, 'query'>;

const INT8 = 20;
/** Ids, versions, counts and epoch milliseconds: all far below 2^53, so a JS number holds them exactly. */
const parseInt8 = (text: string) => Number(text);

export function createPool(url: string, max = 10): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: 'fullstop',
    // A database that does not answer fails the request after this long instead of holding it forever.
    connectionTimeoutMillis: 10_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 ? parseInt8 : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that breaks (database restart, network) is dropped by the pool, which emits 'error':
  // without a listener that would end the process. The next query opens a new connection or fails visibly.
  pool.on('error', () => {});
  markConnectFailures(pool);
  return pool;
}

type ConnectCallback = (
  err: Error | undefined,
  client: PoolClient | undefined,
  done: (release?: unknown) => void,
) => void;

/** Clients that have the listener below. */
const listening = new WeakSet<PoolClient>();
const ignore = () => {};

/**
 * Errors of acquiring a connection become NoConnectionError: then nothing of the request reached the database, so
 * the API can tell the client that nothing was done (outage.ts). `pool.query` acquires through `connect` too.
 *
 * A client the pool has handed out has no 'error' listener (the pool keeps one only on idle clients), and a
 * connection lost while the client is checked out (a transaction under way) is emitted as 'error' as well as
 * failing the query: without a listener that would end the process. The failed query carries the error.
 */
function markConnectFailures(pool: Pool): void {
  const connect = pool.connect.bind(pool) as (callback?: ConnectCallback) => Promise<PoolClient> | undefined;
  const listen = (client: PoolClient | undefined) => {
    if (client !== undefined && !listening.has(client)) {
      client.on('error', ignore);
      listening.add(client);
    }
    return client;
  };
  const wrapped = (callback?: ConnectCallback) =>
    callback === undefined
      ? connect()!.then(
          (client) => listen(client)!,
          (error: unknown) => {
            throw new NoConnectionError(error);
          },
        )
      : connect((err, client, done) => callback(err ? new NoConnectionError(err) : err, listen(client), done));
  pool.connect = wrapped as Pool['connect'];
}

/** `SELECT 1` through the pool: a connection must be had (or opened) and answer within `timeoutMs`. */
export async function ping(pool: Pool, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([pool.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** SQLSTATEs after which the whole transaction can simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);

/** Runs a single statement (its own transaction), again on deadlock or serialization failure, up to `attempts` times. */
export async function retried<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt < attempts && RETRYABLE.has((error as { code?: string }).code ?? '')) continue;
      throw error;
    }
  }
}

/**
 * Runs `fn` in a transaction on one client; a deadlock or serialization failure runs it again, up to `attempts`
 * times in all (pass 1 when `fn` consumes something it cannot read twice).
 */
export async function transaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (attempt < attempts && RETRYABLE.has((error as { code?: string }).code ?? '')) continue;
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

/** PostgreSQL text cannot hold NUL (U+0000); it is stored as U+FFFD, the replacement character. */
export function pgText<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value) as T;
}

/** An id from a request, or undefined when no row can have it (beyond the exact range of a JS number). */
export const rowId = (id: number): number | undefined => (Number.isSafeInteger(id) ? id : undefined);
