/**
 * Browsers let any web page send a request to any server, a loopback one included: a form POST or a
 * `text/plain` fetch needs no CORS pre-flight, and the page may read the answer when it carries
 * `Access-Control-Allow-Origin`. So this server sends CORS headers only to the origins `cors.allowed_origins`
 * lists, and refuses a write (any method but GET, HEAD and OPTIONS) that carries the `Origin` header of another
 * site before any route or token check sees it. Clients that are not browsers (this CLI, the original Python
 * client, curl) send no `Origin` header and are not affected.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden } from './errors.js';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The original's CORS answer (its CORSFilter), now for the configured origins only. */
const CORS_OPTIONS = {
  methods: 'POST, GET, OPTIONS, DELETE, PUT',
  allowedHeaders: 'Content-Type, x-requested-with, Authorization',
  maxAge: 3600,
  // A pre-flight without Origin gets the same answer instead of a plain-text 400.
  strictPreflight: false,
};
const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** `scheme://host[:port]`, lower-case, without the scheme's default port; undefined for anything else (`null`). */
export function normaliseOrigin(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The page was served by this server itself: its origin names the host the request was sent to. The scheme is
 * taken from the origin, so that the check holds behind a proxy that terminates TLS.
 */
function isOwnOrigin(origin: string, request: FastifyRequest): boolean {
  const scheme = origin.slice(0, origin.indexOf('//'));
  return normaliseOrigin(`${scheme}//${request.host}`) === origin;
}

export interface CrossOriginOptions {
  /** `cors.allowed_origins`: `https://host[:port]` entries, or `*` for every origin. */
  allowedOrigins?: readonly string[] | undefined;
  /**
   * `--no-auth`: answer only requests addressed to a loopback host name. A page whose own host name resolves to
   * 127.0.0.1 (DNS rebinding) would otherwise count as this server's own origin and could read every answer.
   */
  loopbackHostOnly?: boolean | undefined;
}

/** Installs the policy on the root instance, so that it covers every route, the unknown ones included. */
export function installCrossOriginPolicy(app: FastifyInstance, options: CrossOriginOptions): void {
  const origins = (options.allowedOrigins ?? []).map((origin) => (origin === '*' ? origin : normaliseOrigin(origin)));
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins.filter((origin): origin is string => origin !== undefined && origin !== '*'));

  app.addHook('onRequest', async (request) => {
    if (options.loopbackHostOnly === true) {
      const hostname = request.hostname;
      if (!LOOPBACK_HOST.test(hostname))
        throw forbidden(`host '${hostname}' refused: a server started with --no-auth answers loopback names only`);
    }
    const header = request.headers.origin;
    if (READS.has(request.method) || header === undefined || anyOrigin) return;
    const origin = normaliseOrigin(header);
    if (origin !== undefined && (allowed.has(origin) || isOwnOrigin(origin, request))) return;
    throw forbidden(
      `cross-origin ${request.method} from ${header} refused: list the origin in cors.allowed_origins of the server config`,
    );
  });

  if (origins.length > 0) {
    app.register(cors, { ...CORS_OPTIONS, origin: anyOrigin ? '*' : [...allowed] });
  } else {
    // OPTIONS needs no token, as in the original; without configured origins it carries no CORS headers.
    app.options('/*', { schema: { hide: true } }, async (_request, reply) => reply.code(200).send());
  }
}
