/**
 * Turns a bearer token into a Principal: static tokens from the config (compared in constant time over
 * SHA-256 digests, so neither content nor length leaks through timing), else the OAuth2 token-info endpoint
 * (fullstop-api.md §1.2, §9), whose answers are cached for 60 s under the token's digest. Tokens are never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { StaticToken } from '../config.js';
import { unauthorized, forbidden, serviceUnavailable } from '../http/errors.js';
import type { Principal } from './principal.js';
import { TtlCache } from './ttl-cache.js';

export type Authenticator = (authorization: string | undefined) => Promise<Principal>;

export interface AuthenticatorOptions {
  tokens?: readonly StaticToken[] | undefined;
  tokeninfoUrl?: string | undefined;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

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

async function askTokenInfo(url: string, token: string, fetchFn: typeof fetch, timeoutMs: number): Promise<Principal> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw serviceUnavailable('token info service unavailable');
  }
  if (response.status >= 500) throw serviceUnavailable(`token info service answered ${response.status}`);
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
  const cache = new TtlCache<Principal>(60_000);
  const fetchFn = options.fetch ?? fetch;
  const { tokeninfoUrl } = options;

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
    let principal = cache.get(key);
    if (principal === undefined) {
      principal = await askTokenInfo(tokeninfoUrl, token, fetchFn, options.timeoutMs ?? 3000);
      cache.set(key, principal);
    }
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
