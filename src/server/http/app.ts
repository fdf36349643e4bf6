/**
 * The HTTP application: every route, schema, hook and error handler, built from explicit dependencies. It never
 * listens (`main.ts` does), so tests drive it with `app.inject()`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NAMED_SCHEMAS } from '../../shared/schemas.js';
import type { ViolationStore } from '../store/store.js';
import type { ServerConfig } from '../config.js';
import type { Authenticator } from '../auth/authenticator.js';
import { createAccessControl } from '../auth/access.js';
import type { TeamService } from '../auth/team-service.js';
import { clientError, frameworkError, installErrorHandling, notFound } from './error-handler.js';
import { AccessLog } from './access-log.js';
import { requireAuthentication } from './auth-hook.js';
import type { RouteDeps } from './deps.js';
import { healthRoutes, type HealthSources } from './routes/health.js';
import { violationRoutes } from './routes/violations.js';
import { resolutionRoutes } from './routes/resolution.js';
import { batchResolutionRoutes } from './routes/resolutions.js';
import { violationTypeRoutes } from './routes/violation-types.js';
import { violationCountRoutes } from './routes/violation-count.js';
import { whitelistingRuleRoutes } from './routes/whitelisting-rules.js';
import { ingestRoutes } from './routes/ingest.js';
import { lifecycleRoutes } from './routes/lifecycles.js';
import { packageVersion } from '../../shared/package-version.js';
import { dropEmptyQueryValues } from './params.js';
import { installCrossOriginPolicy } from './cross-origin.js';
import { installSecurityHeaders, noStore } from './security-headers.js';
import { installJsonBodyParser } from './json-body.js';

/** `http.body_limit_bytes`: larger bodies answer 413. A resolution comment or a rule is far smaller. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export interface AppOptions {
  store: ViolationStore;
  auth: Authenticator;
  config: ServerConfig;
  teamService?: TeamService | undefined;
  /** A pino logger, or fastify's logger option (false in tests). */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger'];
  now?: () => number;
  /** `--no-auth`: answer only requests addressed to a loopback host name (see cross-origin.ts). */
  loopbackHostOnly?: boolean;
  /** What `/health` reports besides the store (filled in once ingest runs). */
  health?: HealthSources;
}

function isLoggerInstance(logger: AppOptions['logger']): logger is FastifyBaseLogger {
  return typeof logger === 'object' && logger !== null && typeof (logger as FastifyBaseLogger).child === 'function';
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { logger = false } = options;
  const http = options.config.http ?? {};
  const app = Fastify({
    ...(isLoggerInstance(logger) ? { loggerInstance: logger } : { logger }),
    logController: new AccessLog(),
    // Spring MVC matches `/api/violations/` like `/api/violations` (trailing-slash match is on by default there).
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: http.body_limit_bytes ?? DEFAULT_BODY_LIMIT,
    trustProxy: http.trust_proxy ?? false,
    frameworkErrors: frameworkError,
    clientErrorHandler: clientError,
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandling(app);
  installJsonBodyParser(app);
  for (const schema of NAMED_SCHEMAS) app.addSchema(schema);
  installSecurityHeaders(app, { hstsMaxAgeSeconds: http.hsts_max_age_seconds });
  // After helmet has loaded, so that its headers are set before this policy may refuse a request.
  app.after(() =>
    installCrossOriginPolicy(app, {
      allowedOrigins: options.config.cors?.allowed_origins,
      loopbackHostOnly: options.loopbackHostOnly,
    }),
  );

  app.register(swagger, {
    openapi: {
      info: {
        title: 'fullstop',
        description: 'The fullstop REST API (compatible with zalando-stups/fullstop).',
        version: packageVersion(),
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  app.get('/api-docs', { schema: { hide: true } }, async () => app.swagger());
  app.register(healthRoutes, { store: options.store, sources: options.health ?? {} });

  const deps: RouteDeps = {
    store: options.store,
    access: createAccessControl({
      teamService: options.teamService,
      allowedTeams: options.config.whitelist?.allowed_teams ?? ['stups'],
    }),
    now: options.now ?? Date.now,
  };
  app.register(
    async (api) => {
      noStore(api);
      await requireAuthentication(api, options.auth, http.rate_limit);
      // Unknown /api paths need a token too, as in the original (Spring Security runs before the dispatcher).
      api.setNotFoundHandler(notFound);
      api.addHook('preValidation', async (request) => dropEmptyQueryValues(request.query));
      // JSON bodies only, as the original's Jackson converter: text/plain is 415 (the resolution route, which
      // reads any body as text, installs its own parser).
      api.removeContentTypeParser('text/plain');
      await api.register(violationRoutes, deps);
      await api.register(resolutionRoutes, deps);
      await api.register(batchResolutionRoutes, deps);
      await api.register(violationTypeRoutes, deps);
      await api.register(violationCountRoutes, deps);
      await api.register(whitelistingRuleRoutes, deps);
      await api.register(ingestRoutes, deps);
      await api.register(lifecycleRoutes, deps);
    },
    { prefix: '/api' },
  );
  return app;
}
