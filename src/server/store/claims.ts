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
  private readonly sources = new Map<string, Set<string>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(source: string, key: string): boolean {
    return this.sources.get(source)?.has(key) ?? false;
  }

  add(source: string, keys: Iterable<string>): void {
    let held = this.sources.get(source);
    if (held === undefined) this.sources.set(source, (held = new Set()));
    for (const key of keys) {
      if (held.has(key)) continue;
      held.add(key);
      this.count += 1;
    }
  }

  /** Forgets the keys; returns those that were held. */
  delete(source: string, keys: Iterable<string>): string[] {
    const held = this.sources.get(source);
    if (held === undefined) return [];
    const gone: string[] = [];
    for (const key of keys) if (held.delete(key)) gone.push(key);
    this.count -= gone.length;
    if (held.size === 0) this.sources.delete(source);
    return gone;
  }

  /** The held keys of each source. */
  bySource(): Array<[string, string[]]> {
    return [...this.sources].map(([source, keys]) => [source, [...keys]]);
  }

  clear(): void {
    this.sources.clear();
    this.count = 0;
  }
}
