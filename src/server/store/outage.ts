/**
 * Tells a store that cannot be reached or cannot work right now (PostgreSQL down, restarting, out of connections,
 * the network gone; SQLite locked by another writer for longer than its busy timeout, or its disk failing) from a
 * bug, and whether a write under way may have been applied all the same (its answer lost with the connection).
 * The API answers an outage with 503 (nothing was done: try again later), a write that may have been applied with
 * 502 (outcome unknown: clients must not simply send it again), and a bug with 500; the log keeps the cause.
 */
import type { ViolationStore } from './store.js';
import { StoreWriteError, type StoreWriteTrouble } from './store-errors.js';

export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  /**
   * @param maybeApplied the connection broke while a statement was under way, so a write may have been committed
   *   (its answer was lost); false when the store refused or never got the request, so nothing was written.
   */
  constructor(
    cause: unknown,
    readonly maybeApplied: boolean,
  ) {
    super(`the store is unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * A connection could not be had from the pool (refused, timed out, rejected at login): nothing was sent. The
 * message is the cause's, so messages read as before.
 */
export class NoConnectionError extends Error {
  override name = 'NoConnectionError';
  constructor(cause: unknown) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/** Failures to reach the database at all: nothing was sent. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);
/** A connection lost mid-exchange: what was under way may have been applied. */
const BROKEN_CODES = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE']);

/**
 * SQLSTATEs of a server that cannot serve: class 08 (connection exception), 53 (insufficient resources: too many
 * connections, out of memory or disk), 57P01-57P03 (shut down by an administrator or a crash, still starting).
 * They are error answers: the statement (and its transaction) failed, so nothing was applied.
 */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[1-3])$/;

/** What the pg driver and its pool say, without a code, when no connection can be had: nothing was sent. */
const PG_NO_CONNECTION =
  /^(timeout exceeded when trying to connect|Connection terminated due to connection timeout|timeout expired|Cannot use a pool after calling end on the pool|Client was closed and is not queryable)/;
/** …and when a connection breaks under a statement. */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error)/;

/**
 * SQLite result codes of a database that is busy or whose storage fails (better-sqlite3 names them); the
 * transaction rolls back, so nothing was applied.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL)/;

/** Whether `error` (or a cause of it) says the store is unavailable, and if so whether a write may have been applied. */
export function outageOf(error: unknown): { maybeApplied: boolean } | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof StoreUnavailableError) return { maybeApplied: e.maybeApplied };
    // The SQLite store's own verdict on a refused write (sqlite-write.ts): rolled back, nothing applied.
    if (e instanceof StoreWriteError) return { maybeApplied: false };
    if (e instanceof NoConnectionError) return { maybeApplied: false };
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (NOT_CONNECTED_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code) || SQLITE_UNAVAILABLE.test(code))
        return { maybeApplied: false };
      if (BROKEN_CODES.has(code)) return { maybeApplied: true };
    } else if (PG_NO_CONNECTION.test(e.message)) return { maybeApplied: false };
    else if (PG_CONNECTION_LOST.test(e.message)) return { maybeApplied: true };
  }
  return undefined;
}

/**
 * The store with every method's outage errors (outageOf) turned into StoreUnavailableError; other errors
 * pass unchanged. Only errors that come out of the store are judged, so a network error of another dependency is
 * never taken for a store outage.
 */
export function reportingOutages(store: ViolationStore): ViolationStore {
  const wrapped = new WeakMap<(...args: unknown[]) => unknown, (...args: unknown[]) => unknown>();
  const wrap = (fn: (...args: unknown[]) => unknown) =>
    function (this: unknown, ...args: unknown[]) {
      try {
        const result = fn.apply(store, args);
        return result instanceof Promise ? result.catch(rethrow) : result;
      } catch (error) {
        return rethrow(error);
      }
    };
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'constructor') return value;
      const fn = value as (...args: unknown[]) => unknown;
      let outer = wrapped.get(fn);
      if (outer === undefined) wrapped.set(fn, (outer = wrap(fn)));
      return outer;
    },
  });
}

function rethrow(error: unknown): never {
  // Already judged: a StoreWriteError carries what ingest reports (locked, disk full…) and passes unchanged.
  if (error instanceof StoreUnavailableError || error instanceof StoreWriteError) throw error;
  const outage = outageOf(error);
  throw outage === undefined ? error : new StoreUnavailableError(error, outage.maybeApplied);
}

/**
 * What an outage was, in words for a terminal or a log, from the first cause that tells: "the PostgreSQL server
 * ended the connection: terminating connection due to administrator command (57P01: shut down or restarting)".
 * The driver's own words stay in parentheses, so nothing is lost by the rephrasing.
 */
export function outageReason(error: unknown): string {
  let connecting = false;
  for (let e = error, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    if (e instanceof StoreWriteError) return e.message;
    if (e instanceof NoConnectionError) connecting = true;
    if (e instanceof StoreUnavailableError || e instanceof NoConnectionError) continue;
    const reason = causeReason(e, connecting);
    if (reason !== undefined) return reason;
  }
  const message = (error as Error)?.message ?? String(error);
  return message.replace(/^the store is unavailable: /, '');
}

function causeReason(e: Error, connecting: boolean): string | undefined {
  const code = (e as { code?: unknown }).code;
  const text = e.message;
  const server = 'the PostgreSQL server';
  const cannot = `could not connect to ${server}`;
  if (typeof code === 'string') {
    if (code === '57P01') return `${server} ended the connection: ${text} (57P01: shut down or restarting)`;
    if (code === '57P02') return `${server} ended the connection: ${text} (57P02: another server process crashed)`;
    if (code === '57P03') return `${server} accepts no connections yet: ${text} (57P03)`;
    if (code.startsWith('08')) return `the connection to ${server} failed: ${text} (${code})`;
    if (code.startsWith('53')) return `${server} is out of resources: ${text} (${code})`;
    if (code === 'ECONNREFUSED') return `${cannot}: it refused the connection, it is down or restarting (${text})`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${cannot}: its host name does not resolve (${text})`;
    if (NOT_CONNECTED_CODES.has(code)) return `${cannot}: no route to it (${text})`;
    if (code === 'ETIMEDOUT') return `no answer from ${server} in time (${text})`;
    if (BROKEN_CODES.has(code))
      return connecting
        ? `${cannot}: it closed the connection (${text})`
        : `the connection to ${server} broke (${text})`;
    if (code.startsWith('SQLITE_')) return `the database could not be read or written (${code}: ${text})`;
    return undefined;
  }
  if (/timeout/i.test(text)) return `${connecting ? cannot : `no answer from ${server}`} in time (${text})`;
  if (PG_CONNECTION_LOST.test(text))
    return connecting ? `${cannot}: it closed the connection (${text})` : `${server} closed the connection (${text})`;
  return undefined;
}

/**
 * The trouble ingest reports and recovers from by reading the files again (a write the store refused, a store
 * that cannot be reached), with its kind and reason; undefined for any other error (a bug).
 */
export function storeTrouble(
  error: unknown,
): { trouble: StoreWriteTrouble | 'unavailable'; reason: string } | undefined {
  if (error instanceof StoreWriteError) return { trouble: error.trouble, reason: error.message };
  if (error instanceof StoreUnavailableError) return { trouble: 'unavailable', reason: outageReason(error) };
  return undefined;
}
