/**
 * Server settings, resolved once at start-up. Precedence: CLI flags > environment (`FULLSTOP_SERVER_HOST`,
 * `FULLSTOP_SERVER_PORT`, `FULLSTOP_DB`, `FULLSTOP_SERVER_CONFIG`) > the YAML config file > defaults.
 * Every unknown or mistyped key of the file is an error naming its path, e.g. `auth.tokens[0].scopes: expected array`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parseDocument } from 'yaml';
import { IngestConfigSchema } from './ingest/config-schema.js';
import { RulesConfigSchema } from './rules/config-schema.js';
import { HttpConfigSchema, trustProxyProblems } from './http/config-schema.js';
import { configProblems } from './config-errors.js';
import { EnrichmentConfigSchema, enrichmentConfigProblems } from './enrich/config-schema.js';

const NonEmpty = () => Type.String({ minLength: 1 });
const HttpUrl = () => Type.String({ pattern: '^https?://\\S+$', description: 'an http(s) URL' });

/** An AWS account id: twelve digits. */
const ACCOUNT_ID = /^\d{12}$/;
/** `https://host[:port]` (no path), or `*` for every origin. */
const ORIGIN = '^(?:\\*|https?://[^/?#\\s]+)$';

const StaticTokenSchema = Type.Object(
  {
    token: NonEmpty(),
    uid: NonEmpty(),
    scopes: Type.Optional(Type.Array(NonEmpty())),
    accounts: Type.Optional(
      Type.Union([Type.Literal('*'), Type.Array(Type.String({ pattern: ACCOUNT_ID.source }))], {
        description: '"*" or a list of account ids',
      }),
    ),
    teams: Type.Optional(Type.Array(NonEmpty())),
  },
  { additionalProperties: false },
);

export const ServerConfigSchema = Type.Object(
  {
    host: Type.Optional(NonEmpty()),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
    db: Type.Optional(NonEmpty()),
    db_pool_size: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1000,
        description: 'PostgreSQL connections per server (default 10); the URL parameter pool_size wins',
      }),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          tokeninfo_url: Type.Optional(HttpUrl()),
          team_service_url: Type.Optional(HttpUrl()),
          team_service_token: Type.Optional(NonEmpty()),
          tokens: Type.Optional(Type.Array(StaticTokenSchema)),
          negative_cache_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
        },
        { additionalProperties: false },
      ),
    ),
    cors: Type.Optional(
      Type.Object(
        {
          allowed_origins: Type.Optional(
            Type.Array(
              Type.String({
                pattern: ORIGIN,
                description: 'an origin such as https://fullstop.example.com (scheme, host, port; no path) or *',
              }),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    http: Type.Optional(HttpConfigSchema),
    whitelist: Type.Optional(
      Type.Object({ allowed_teams: Type.Optional(Type.Array(NonEmpty())) }, { additionalProperties: false }),
    ),
    ingest: Type.Optional(IngestConfigSchema),
    rules: Type.Optional(RulesConfigSchema),
    enrichment: Type.Optional(EnrichmentConfigSchema),
  },
  { additionalProperties: false },
);
export type ServerConfig = Static<typeof ServerConfigSchema>;
export type StaticToken = Static<typeof StaticTokenSchema>;
export type { HttpConfig } from './http/config-schema.js';

/** A start-up setting is wrong (the `fullstop server` command reports it as a usage error). */
export class ServerConfigError extends Error {
  override name = 'ServerConfigError';
}

/** Validates a parsed config object; throws one error listing every problem by key path. */
export function validateConfig(value: unknown, source: string): ServerConfig {
  const input = value ?? {};
  const problems = configProblems([...Value.Errors(ServerConfigSchema, input)]);
  if (problems.length === 0) {
    problems.push(...enrichmentConfigProblems((input as ServerConfig).enrichment));
    problems.push(...trustProxyProblems((input as ServerConfig).http));
  }
  if (problems.length > 0)
    throw new ServerConfigError(`invalid config ${source}:\n  ${[...new Set(problems)].join('\n  ')}`);
  return input as ServerConfig;
}

/** Reads and validates the YAML config file. */
export function loadConfigFile(path: string): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ServerConfigError(
      `cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ServerConfigError(`invalid YAML in ${path}: ${doc.errors[0]!.message}`);
  return validateConfig(doc.toJS(), path);
}

export interface ServerFlags {
  host?: string;
  port?: string | number;
  db?: string;
  config?: string;
  /** commander's `--no-auth` sets `auth: false`. */
  auth?: boolean;
  /** `--ingest SOURCE` (repeatable): ingested continuously, with the config's `ingest.sources`. */
  ingest?: string[];
}

export interface ServerOptions {
  host: string;
  port: number;
  db: string;
  noAuth: boolean;
  configFile: string | undefined;
  config: ServerConfig;
}

export type Env = Record<string, string | undefined>;

/** `sqlite:` + `$XDG_DATA_HOME/fullstop/fullstop.db`, else `~/.local/share/fullstop/fullstop.db`. */
export function defaultDbUrl(env: Env, home = env.HOME ?? homedir()): string {
  const dataHome = env.XDG_DATA_HOME || join(home, '.local', 'share');
  return `sqlite:${join(dataHome, 'fullstop', 'fullstop.db')}`;
}

function parsePort(value: string | number, from: string): number {
  const port = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ServerConfigError(`${from}: expected a port number 0-65535, got '${value}'`);
  return port;
}

const pick = (...values: Array<string | undefined>) => values.find((v) => v !== undefined && v !== '');

/** Resolves every setting once: flags > env > file > defaults. */
export function resolveServerOptions(flags: ServerFlags, env: Env): ServerOptions {
  const configFile = pick(flags.config, env.FULLSTOP_SERVER_CONFIG);
  const config = configFile === undefined ? {} : loadConfigFile(configFile);
  const portFlag = flags.port !== undefined ? { value: flags.port, from: '--port' } : undefined;
  const portEnv =
    pick(env.FULLSTOP_SERVER_PORT) !== undefined
      ? { value: env.FULLSTOP_SERVER_PORT!, from: 'FULLSTOP_SERVER_PORT' }
      : undefined;
  const portSource = portFlag ?? portEnv;
  return {
    host: pick(flags.host, env.FULLSTOP_SERVER_HOST, config.host) ?? '127.0.0.1',
    port: portSource !== undefined ? parsePort(portSource.value, portSource.from) : (config.port ?? 8080),
    db: pick(flags.db, env.FULLSTOP_DB, config.db) ?? defaultDbUrl(env),
    noAuth: flags.auth === false,
    configFile,
    config,
  };
}
