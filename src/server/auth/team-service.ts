/**
 * The team service (fullstop-api.md §1.2, §9): which AWS accounts a user may act on (membership roles
 * PowerUser and Deployer, merged) and which teams they belong to. Answers are cached for 60 s per user.
 */
import { serviceUnavailable } from '../http/errors.js';
import { TtlCache } from './ttl-cache.js';

export interface TeamService {
  accountsOf(uid: string, callerToken: string): Promise<string[]>;
  teamsOf(uid: string, callerToken: string): Promise<string[]>;
}

export interface TeamServiceOptions {
  url: string;
  /** Sent as the bearer token; without it the caller's own token is forwarded. */
  token?: string | undefined;
  roles?: readonly string[];
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export function createTeamService(options: TeamServiceOptions): TeamService {
  const base = options.url.replace(/\/+$/, '');
  const roles = options.roles ?? ['PowerUser', 'Deployer'];
  const fetchFn = options.fetch ?? fetch;
  const accounts = new TtlCache<string[]>(60_000);
  const teams = new TtlCache<string[]>(60_000);

  async function getIds(path: string, callerToken: string): Promise<string[]> {
    let body: unknown;
    try {
      const response = await fetchFn(`${base}${path}`, {
        headers: { authorization: `Bearer ${options.token ?? callerToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      body = await response.json();
    } catch {
      // The original answers 503 "Dependency unavailable" when the team service fails (Hystrix).
      throw serviceUnavailable('Dependency unavailable: team service');
    }
    if (!Array.isArray(body)) throw serviceUnavailable('Dependency unavailable: team service answered no list');
    return body.flatMap((item: unknown) => {
      const id = (item as { id?: unknown } | null)?.id;
      return typeof id === 'string' || typeof id === 'number' ? [String(id).trim()] : [];
    });
  }

  return {
    async accountsOf(uid, callerToken) {
      const cached = accounts.get(uid);
      if (cached !== undefined) return cached;
      const member = encodeURIComponent(uid);
      const lists = await Promise.all(
        roles.map((role) => getIds(`/api/accounts/aws?member=${member}&role=${encodeURIComponent(role)}`, callerToken)),
      );
      const merged = [...new Set(lists.flat())];
      accounts.set(uid, merged);
      return merged;
    },
    async teamsOf(uid, callerToken) {
      const cached = teams.get(uid);
      if (cached !== undefined) return cached;
      const ids = await getIds(`/api/teams?member=${encodeURIComponent(uid)}`, callerToken);
      teams.set(uid, ids);
      return ids;
    },
  };
}
