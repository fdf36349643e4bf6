/** Chooses the store adapter from a URL: `sqlite:PATH`, `sqlite::memory:` or `postgres://…` (also `postgresql://`). */
import type { ViolationStore } from './store.js';
import { POSTGRES_URL, redactUrl, takePoolSize } from './db-url.js';
import { reportingOutages } from './outage.js';

export class StoreUrlError extends Error {
  constructor(url: string) {
    super(`unsupported database URL '${url}': expected sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DATABASE`);
    this.name = 'StoreUrlError';
  }
}

/** The database named by a valid URL could not be opened (down, refused, a file that cannot be created). */
export class StoreOpenError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot open ${redactUrl(url)}: ${(cause as Error).message}`, { cause });
    this.name = 'StoreOpenError';
  }
}

export interface StoreOptions {
  /** PostgreSQL: connections per pool (config `db_pool_size`); the URL's `pool_size` parameter wins. */
  poolSize?: number;
  /** PostgreSQL: how long a claim on a listed object lasts unless renewed (config `ingest.lease_seconds`). */
  leaseSeconds?: number;
}

/** Opens the store a URL names; its methods report outages as StoreUnavailableError (outage.ts). */
export async function openStore(url: string, options: StoreOptions = {}): Promise<ViolationStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new StoreUrlError(url);
    const { SqliteStore } = await import('./sqlite.js');
    return opening(url, async () => new SqliteStore(path));
  }
  if (POSTGRES_URL.test(url)) {
    let pg: { url: string; poolSize?: number };
    try {
      pg = takePoolSize(url);
    } catch (error) {
      throw new StoreOpenError(url, error);
    }
    const poolSize = pg.poolSize ?? options.poolSize;
    const pgOptions = {
      ...(poolSize !== undefined ? { poolSize } : {}),
      ...(options.leaseSeconds !== undefined ? { leaseSeconds: options.leaseSeconds } : {}),
    };
    // Loaded only for PostgreSQL: the pg driver costs SQLite users nothing.
    const { openPostgresStore } = await import('./postgres.js');
    return opening(url, () => openPostgresStore(pg.url, pgOptions));
  }
  throw new StoreUrlError(redactUrl(url));
}

async function opening(url: string, open: () => Promise<ViolationStore>): Promise<ViolationStore> {
  try {
    return reportingOutages(await open());
  } catch (error) {
    throw new StoreOpenError(url, error);
  }
}
