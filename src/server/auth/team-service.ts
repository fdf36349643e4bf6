/**
 * The team service: which AWS accounts a user may act on (membership roles PowerUser and Deployer, merged) and
 * which teams they belong to. Answers are cached for 60 s per user, as the original caches them; concurrent
 * look-ups of one user share one call. A failed look-up is remembered for a few seconds, as the original's Hystrix
 * circuit breaker stops calling a failing team service for a while, so that a burst of requests does not become a
 * burst of calls to a service that is down.
 */
import { LRUCache } from 'lru-cache';
import { serviceUnavailable } from '../http/errors.js';
import { DEFAULT_NEGATIVE_CACHE_MS } from './authenticator.js';

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
  /** How long a failed look-up is remembered; 0 asks again every time. */
  negativeCacheMs?: number;
}

/** The original answers 503 "Dependency unavailable" when the team service fails (its Hystrix wrapper). */
const UNAVAILABLE = 'Dependency unavailable: team service';

export function createTeamService(options: TeamServiceOptions): TeamService {
  const base = options.url.replace(/\/+$/, '');
  const roles = options.roles ?? ['PowerUser', 'Deployer'];
  const fetchFn = options.fetch ?? fetch;

  async function getIds(path: string, callerToken: string): Promise<string[]> {
    const url = `${base}${path}`;
    let body: unknown;
    try {
      const response = await fetchFn(url, {
        headers: { authorization: `Bearer ${options.token ?? callerToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
      });
      if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
      body = await response.json();
    } catch (error) {
      throw serviceUnavailable(UNAVAILABLE, error);
    }
    if (!Array.isArray(body)) throw serviceUnavailable(UNAVAILABLE, new Error(`${url} answered no JSON list`));
    return body.flatMap((item: unknown) => {
      const id = (item as { id?: unknown } | null)?.id;
      return typeof id === 'string' || typeof id === 'number' ? [String(id).trim()] : [];
    });
  }

  const negativeMs = options.negativeCacheMs ?? DEFAULT_NEGATIVE_CACHE_MS;

  /**
   * A per-user cache whose look-up gets the caller's token as its context (forwarded when no service token), and
   * beside it the failures of the last few seconds (lru-cache reads a ttl of 0 as "never expires": none then).
   */
  const cacheOf = (lookUp: (uid: string, callerToken: string) => Promise<string[]>) => {
    const failed = negativeMs > 0 ? new LRUCache<string, Error>({ max: 10_000, ttl: negativeMs }) : undefined;
    const answers = new LRUCache<string, string[], string>({
      max: 10_000,
      ttl: 60_000,
      fetchMethod: (uid, _stale, { context }) =>
        lookUp(uid, context).catch((error: Error) => {
          failed?.set(uid, error);
          throw error;
        }),
    });
    return {
      async fetch(uid: string, callerToken: string): Promise<string[]> {
        const failure = failed?.get(uid);
        if (failure !== undefined) throw failure;
        return (await answers.fetch(uid, { context: callerToken }))!;
      },
    };
  };

  const accounts = cacheOf(async (uid, callerToken) => {
    const member = encodeURIComponent(uid);
    const lists = await Promise.all(
      roles.map((role) => getIds(`/api/accounts/aws?member=${member}&role=${encodeURIComponent(role)}`, callerToken)),
    );
    return [...new Set(lists.flat())];
  });
  const teams = cacheOf((uid, callerToken) => getIds(`/api/teams?member=${encodeURIComponent(uid)}`, callerToken));

  return {
    accountsOf: (uid, callerToken) => accounts.fetch(uid, callerToken),
    teamsOf: (uid, callerToken) => teams.fetch(uid, callerToken),
  };
}
