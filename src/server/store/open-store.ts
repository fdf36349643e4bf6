/** Chooses the store adapter from a URL: `sqlite:PATH` or `sqlite::memory:` (PostgreSQL comes later). */
import type { ViolationStore } from './store.js';

export class StoreUrlError extends Error {
  constructor(url: string) {
    super(`unsupported database URL '${url}': expected sqlite:PATH or sqlite::memory:`);
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
  throw new StoreUrlError(url);
}
