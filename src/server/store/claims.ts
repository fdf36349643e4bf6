/**
 * The objects this process has claimed for reading (see `IngestStore.claimObjects`), kept in memory by both stores:
 * SQLite (one node) needs nothing more, PostgreSQL also keeps them as leases in the database and renews them. And
 * the names of claimants, which say which process claimed.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** `host/pid/random`: readable in the lease table, and unique even for two stores in one process. */
export function claimOwner(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

let pendingClaims = 0;

/** `host:pid:time:counter`: a claim on pending evaluations, unique per claim (see PendingClaimRequest.claimant). */
export function pendingClaimant(): string {
  return `${hostname()}:${process.pid}:${Date.now().toString(36)}:${++pendingClaims}`;
}

/**
 * Whether a pending-evaluation claimant (`pendingClaimant`) was a process of this host that is gone (SIGKILL, a
 * crash): its claims need not wait for their lease to run out. False when unsure: another host's process, a
 * name of another form, a process that exists (perhaps another one under a reused id, which only makes its claims
 * last until they expire) or that this user may not signal.
 */
export function deadLocalClaimant(claimant: string): boolean {
  const match = /^([^:]*):(\d+):[0-9a-z]+:\d+$/.exec(claimant);
  if (match === null || match[1] !== hostname()) return false;
  const pid = Number(match[2]);
  if (pid === process.pid || !Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
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
