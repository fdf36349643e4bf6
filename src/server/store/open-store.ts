/** Chooses the store adapter from a URL: `sqlite:PATH`, `sqlite::memory:` or `postgres://…` (also `postgresql://`). */
import type { ViolationStore } from './store.js';
import { POSTGRES_URL } from './db-url.js';

export class StoreUrlError extends Error {
  constructor(url: string) {
    super(`unsupported database URL '${url}': expected sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DATABASE`);
    this.name = 'StoreUrlError';
  }
}

export async function openStore(url: string): Promise<ViolationStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new StoreUrlError(url);
    const { SqliteStore } = await import('./sqlite.js');
    return new SqliteStore(path);
  }
  if (POSTGRES_URL.test(url)) {
    // Loaded only for PostgreSQL: the pg driver costs SQLite users nothing.
    const { openPostgresStore } = await import('./postgres.js');
    return openPostgresStore(url);
  }
  throw new StoreUrlError(url);
}
