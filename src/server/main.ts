/**
 * The server's entry: resolves settings once, opens the store, builds the app and listens; SIGTERM and SIGINT
 * close it gracefully (in-flight requests finish, new ones get 503, then the store is closed). Loaded only by
 * `fullstop server`, through one dynamic import.
 */
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { resolveServerOptions, ServerConfigError, type Env, type ServerFlags, type ServerOptions } from './config.js';
import { openStore } from './store/open-store.js';
import type { ViolationStore } from './store/store.js';
import { buildApp } from './http/app.js';
import { createAuthenticator, type Authenticator } from './auth/authenticator.js';
import { createTeamService } from './auth/team-service.js';
import { LOCAL_PRINCIPAL } from './auth/principal.js';
import type { HealthSources } from './http/routes/health.js';

export { ServerConfigError } from './config.js';
export { StoreOpenError } from './store/open-store.js';

export interface RunningServer {
  app: FastifyInstance;
  store: ViolationStore;
  /** What `/health` reports besides the store: `runServer` adds the ingest loops' status. */
  health: HealthSources;
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

const negativeCacheMs = (options: ServerOptions) => {
  const seconds = options.config.auth?.negative_cache_seconds;
  return seconds === undefined ? undefined : seconds * 1000;
};

function authenticatorFor(options: ServerOptions): Authenticator {
  if (options.noAuth) return async () => LOCAL_PRINCIPAL;
  const auth = options.config.auth ?? {};
  return createAuthenticator({
    tokens: auth.tokens,
    tokeninfoUrl: auth.tokeninfo_url,
    negativeCacheMs: negativeCacheMs(options),
  });
}

/** Opens the store and listens; the caller owns the returned server (tests call this with port 0). */
export async function startServer(
  options: ServerOptions,
  logger: FastifyServerOptions['logger'] = false,
): Promise<RunningServer> {
  if (options.noAuth && !LOOPBACK.test(options.host)) {
    throw new ServerConfigError(
      `--no-auth is for local demos only: refusing to listen on ${options.host}; use --host 127.0.0.1`,
    );
  }
  const auth = options.config.auth ?? {};
  if (!options.noAuth && auth.tokeninfo_url === undefined && (auth.tokens ?? []).length === 0) {
    throw new ServerConfigError(
      'no authentication configured: set auth.tokeninfo_url or auth.tokens in the config file, or use --no-auth locally',
    );
  }
  const { config } = options;
  const store = await openStore(options.db, {
    ...(config.db_pool_size !== undefined ? { poolSize: config.db_pool_size } : {}),
    ...(config.ingest?.lease_seconds !== undefined ? { leaseSeconds: config.ingest.lease_seconds } : {}),
  });
  const health: HealthSources = {};
  const teamService = auth.team_service_url
    ? createTeamService({
        url: auth.team_service_url,
        token: auth.team_service_token,
        negativeCacheMs: negativeCacheMs(options),
      })
    : undefined;
  const app = buildApp({
    store,
    auth: authenticatorFor(options),
    config: options.config,
    teamService,
    logger,
    loopbackHostOnly: options.noAuth,
    health,
  });
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
  return {
    app,
    store,
    health,
    url: `http://${host}:${port}`,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

/** pino JSON lines on stdout; readable (pino-pretty) only when stdout is a terminal. */
function loggerOptions(env: Env): FastifyServerOptions['logger'] {
  const level = env.FULLSTOP_LOG_LEVEL ?? 'info';
  return process.stdout.isTTY
    ? { level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard' } } }
    : { level };
}

/** `fullstop server`: runs until SIGTERM or SIGINT, then closes gracefully. */
export async function runServer(flags: ServerFlags, env: Env): Promise<void> {
  const options = resolveServerOptions(flags, env);
  const server = await startServer(options, loggerOptions(env));
  server.app.log.info(
    { url: server.url, db: options.db, auth: options.noAuth ? 'none' : 'bearer' },
    'fullstop server listening',
  );
  const { startServerEnrichment } = await import('./enrich/serve.js');
  const enrichment = await startServerEnrichment({
    config: options.config,
    store: server.store,
    logger: server.app.log,
  });
  const { startServerIngest } = await import('./ingest/serve.js');
  const ingest = await startServerIngest({
    flags: flags.ingest ?? [],
    config: options.config,
    store: server.store,
    logger: server.app.log,
    env,
    stage: enrichment.stage,
  }).catch(async (error: unknown) => {
    await enrichment.stop();
    await server.close();
    throw error;
  });
  if (ingest) server.health.ingest = ingest.status;
  await new Promise<void>((resolve, reject) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      server.app.log.info({ signal }, 'shutting down');
      (ingest ? ingest.stop() : Promise.resolve())
        .then(() => enrichment.stop())
        .then(() => server.close())
        .then(resolve, reject);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
