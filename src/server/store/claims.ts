/**
 * The objects this process has claimed for reading (see `IngestStore.claimObjects`), kept in memory by both stores:
 * SQLite (one node) needs nothing more, PostgreSQL also keeps them as leases in the database and renews them.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** `host/pid/random`: readable in the lease table, and unique even for two stores in one process. */
export function claimOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

export class HeldClaims {
  private readonly bySource = new Map<string, Set<string>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(source: string, key: string): boolean {
    return this.bySource.get(source)?.has(key) ?? false;
  }

  add(source: string, keys: Iterable<string>): void {
    let held = this.bySource.get(source);
    if (held === undefined) this.bySource.set(source, (held = new Set()));
    for (const key of keys) {
      if (held.has(key)) continue;
      held.add(key);
      this.count += 1;
    }
  }

  /** Forgets the keys; returns those that were held. */
  delete(source: string, keys: Iterable<string>): string[] {
    const held = this.bySource.get(source);
    if (held === undefined) return [];
    const gone: string[] = [];
    for (const key of keys) if (held.delete(key)) gone.push(key);
    this.count -= gone.length;
    if (held.size === 0) this.bySource.delete(source);
    return gone;
  }

  /** Every held key as parallel arrays of sources and keys. */
  list(): { sources: string[]; keys: string[] } {
    const sources: string[] = [];
    const keys: string[] = [];
    for (const [source, held] of this.bySource)
      for (const key of held) {
        sources.push(source);
        keys.push(key);
      }
    return { sources, keys };
  }

  clear(): void {
    this.bySource.clear();
    this.count = 0;
  }
}
