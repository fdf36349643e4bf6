/**
 * The bearer-token check of every `/api/**` route, registered inside the API plugin only, and the per-client
 * rate limit (`http.rate_limit`), which runs between the token check and the refusal of a bad token: callers are
 * counted by uid once authenticated, by address otherwise, so that guessing tokens is limited too.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';
import type { HttpConfig } from '../config.js';
import { HttpError } from './errors.js';

const principals = new WeakMap<FastifyRequest, Principal>();
const refusals = new WeakMap<FastifyRequest, unknown>();

/** The authenticated caller of a request that passed the API's auth hook. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error('route registered outside the authenticated API plugin');
  return principal;
}

/** The rate-limit key: `uid:<uid>` for an authenticated caller, else `ip:<address>`. */
export function clientKey(request: FastifyRequest): string {
  const principal = principals.get(request);
  return principal !== undefined ? `uid:${principal.uid}` : `ip:${request.ip}`;
}

type RateLimit = NonNullable<HttpConfig['rate_limit']>;
const DEFAULT_WINDOW_SECONDS = 60;

async function installRateLimit(api: FastifyInstance, limit: RateLimit): Promise<void> {
  const windowSeconds = limit.window_seconds ?? DEFAULT_WINDOW_SECONDS;
  await api.register(rateLimit, {
    global: false,
    max: limit.max,
    timeWindow: windowSeconds * 1000,
    keyGenerator: clientKey,
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        429,
        `rate limit exceeded: at most ${context.max} requests per ${windowSeconds} s per client; retry in ${context.after}`,
      ),
  });
  api.addHook('onRequest', api.rateLimit());
}

export async function requireAuthentication(
  api: FastifyInstance,
  authenticate: Authenticator,
  limit?: RateLimit | undefined,
): Promise<void> {
  api.addHook('onRequest', async (request) => {
    try {
      principals.set(request, await authenticate(request.headers.authorization));
    } catch (error) {
      refusals.set(request, error);
    }
  });
  if (limit !== undefined) await installRateLimit(api, limit);
  api.addHook('onRequest', async (request) => {
    if (refusals.has(request)) throw refusals.get(request);
  });
}
