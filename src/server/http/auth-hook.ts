/** The bearer-token check of every `/api/**` route, registered inside the API plugin only (conventions §5.9). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { Principal } from '../auth/principal.js';

const principals = new WeakMap<FastifyRequest, Principal>();

/** The authenticated caller of a request that passed the API's auth hook. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error('route registered outside the authenticated API plugin');
  return principal;
}

export function requireAuthentication(api: FastifyInstance, authenticate: Authenticator): void {
  api.addHook('onRequest', async (request) => {
    principals.set(request, await authenticate(request.headers.authorization));
  });
}
