/**
 * Security headers of every answer, set by helmet with a profile for a JSON API: a CSP that lets an answer load
 * nothing and be framed nowhere (should a browser ever render one), `nosniff`, `no-referrer`, no framing, and
 * Strict-Transport-Security only when `http.hsts_max_age_seconds` says that clients reach the server over HTTPS
 * (the server itself speaks plain HTTP, usually behind a proxy that terminates TLS). `/api/**` answers also say
 * `Cache-Control: no-store`: they hold audit data that no shared cache should keep.
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

export function installSecurityHeaders(app: FastifyInstance, options: { hstsMaxAgeSeconds?: number | undefined }) {
  const hsts = options.hstsMaxAgeSeconds;
  return app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: hsts === undefined ? false : { maxAge: hsts, includeSubDomains: true },
  });
}

/** For the API plugin: before authentication, so that refusals carry it too. */
export function noStore(api: FastifyInstance): void {
  api.addHook('onRequest', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
}
