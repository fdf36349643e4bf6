/**
 * Turns a bearer token into a Principal: static tokens from the config (compared in constant time over
 * SHA-256 digests, so neither content nor length leaks through timing), else the OAuth2 token-info endpoint,
 * whose answers are cached for 60 s under the token's digest; concurrent requests with one token share one
 * look-up. A token that token info refused is remembered as refused for a few seconds (a separate cache, so that
 * floods of made-up tokens cannot push valid ones out), so that a burst of requests with unknown tokens does not
 * turn into one token-info call per request. Tokens are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { StaticToken } from '../config.js';
import { unauthorized, forbidden, serviceUnavailable, HttpError } from '../http/errors.js';
import type { Principal } from './principal.js';
import { LRUCache } from 'lru-cache';

export type Authenticator = (authorization: string | undefined) => Promise<Principal>;

export interface AuthenticatorOptions {
  tokens?: readonly StaticToken[] | undefined;
  tokeninfoUrl?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** How long a token that token info refused stays refused without asking again; 0 asks every time. */
  negativeCacheMs?: number;
}

/** The default of `auth.negative_cache_seconds`. */
export const DEFAULT_NEGATIVE_CACHE_MS = 5_000;
const CACHE_ENTRIES = 10_000;

const digest = (token: string) => createHash('sha256').update(token).digest();
const ALLOWED_REALMS = ['/employees', '/services'];
/** The original refuses shorter tokens before asking token info (BearerNoneTokenInfoResourceServerTokenServices). */
const MIN_TOKENINFO_TOKEN_LENGTH = 30;

function bearerToken(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S.*)$/i.exec(authorization?.trim() ?? '');
  if (match === null)
    throw unauthorized('Full authentication is required: send Authorization: Bearer <token>', 'unauthorized');
  const token = match[1]!.trim();
  if (token.toLowerCase() === 'none') throw unauthorized('invalid bearer token');
  return token;
}

function staticMatcher(tokens: readonly StaticToken[]): (token: string) => StaticToken | undefined {
  const digests = tokens.map((entry) => ({ entry, hash: digest(entry.token) }));
  return (token) => {
    const presented = digest(token);
    let found: StaticToken | undefined;
    // Compare against every entry, without stopping early, so timing says nothing about which one matched.
    for (const { entry, hash } of digests) if (timingSafeEqual(hash, presented) && found === undefined) found = entry;
    return found;
  };
}

const UNAVAILABLE = 'Dependency unavailable: token info';

async function askTokenInfo(url: string, token: string, fetchFn: typeof fetch, timeoutMs: number): Promise<Principal> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw serviceUnavailable(UNAVAILABLE, error);
  }
  if (response.status >= 500)
    throw serviceUnavailable(UNAVAILABLE, new Error(`${url} answered ${response.status} ${response.statusText}`));
  if (!response.ok) throw unauthorized('invalid bearer token');
  const info = (await response.json().catch(() => ({}))) as { uid?: unknown; scope?: unknown; realm?: unknown };
  const uid = typeof info.uid === 'string' ? info.uid : '';
  const scopes = Array.isArray(info.scope) ? info.scope.filter((s): s is string => typeof s === 'string') : [];
  if (uid !== '' && !scopes.includes('uid')) scopes.push('uid');
  const realm = typeof info.realm === 'string' ? info.realm : undefined;
  return { uid, scopes, realm, accounts: undefined, teams: undefined, unrestricted: false, token };
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const findStatic = staticMatcher(options.tokens ?? []);
  const fetchFn = options.fetch ?? fetch;
  const { tokeninfoUrl } = options;
  const negativeMs = options.negativeCacheMs ?? DEFAULT_NEGATIVE_CACHE_MS;
  // lru-cache reads a ttl of 0 as "never expires": no negative cache at all then.
  const refused = negativeMs > 0 ? new LRUCache<string, HttpError>({ max: CACHE_ENTRIES, ttl: negativeMs }) : undefined;
  const cache = new LRUCache<string, Principal, string>({
    max: CACHE_ENTRIES,
    ttl: 60_000,
    // A rejected fetch leaves no entry here: refusals go to their own cache, dependency failures are not kept.
    // The token comes in as the fetch context.
    fetchMethod: async (key, _stale, { context }) => {
      try {
        return await askTokenInfo(tokeninfoUrl!, context, fetchFn, options.timeoutMs ?? 3000);
      } catch (error) {
        if (error instanceof HttpError && error.statusCode === 401) refused?.set(key, error);
        throw error;
      }
    },
  });

  return async (authorization) => {
    const token = bearerToken(authorization);
    const entry = findStatic(token);
    if (entry !== undefined) {
      return {
        uid: entry.uid,
        scopes: entry.scopes ?? ['uid'],
        realm: undefined,
        accounts: entry.accounts,
        teams: entry.teams,
        unrestricted: false,
        token,
      };
    }
    if (tokeninfoUrl === undefined || token.length < MIN_TOKENINFO_TOKEN_LENGTH)
      throw unauthorized('invalid bearer token');
    const key = digest(token).toString('base64');
    const refusal = refused?.get(key);
    if (refusal !== undefined) throw refusal;
    const principal = (await cache.fetch(key, { context: token }))!;
    if (
      !principal.scopes.includes('uid') ||
      principal.realm === undefined ||
      !ALLOWED_REALMS.includes(principal.realm)
    ) {
      throw forbidden(`token needs scope uid and realm ${ALLOWED_REALMS.join(' or ')}`);
    }
    return principal;
  };
}
