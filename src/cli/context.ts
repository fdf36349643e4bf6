/**
 * Everything a command needs from the outside world, injected so tests can replace it: I/O, environment, clock,
 * and lazy getters so configuration is read, and a token fetched, only by commands that need them.
 */
import { homedir } from 'node:os';
import type { ClientOptions, FullstopClient } from '../client/client.js';
import type { FileSettings } from './settings.js';
import { NotConfiguredError } from './errors.js';
import { systemIo, type Io } from './io.js';
import {
  configDir,
  DEFAULT_PROFILE,
  legacyConfigPath,
  resolveSettings,
  selectProfile,
  type Env,
  type FlagSettings,
  type Settings,
} from './settings.js';

/** How a command uses its client, beyond the settings. */
export interface ClientUse {
  /** How many requests the command runs at once (default 4). */
  connections?: number;
  /** Aborts the client's requests and retry waits; default: the context's signal (Ctrl-C). */
  signal?: AbortSignal;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** Per request; overrides --timeout. */
  timeoutMs?: number;
  /** How long the token command may take (default 60 s). */
  tokenTimeoutMs?: number;
}

export interface Context {
  io: Io;
  env: Env;
  now: () => Date;
  /** The settings directory (FULLSTOP_CONFIG_DIR, XDG_CONFIG_HOME/fullstop or ~/.config/fullstop). */
  configDir: string;
  legacyConfigPath: string;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal | undefined;
  /** Chooses the profile (`--profile`); call before the first `settings()`. Undefined: FULLSTOP_PROFILE or default. */
  selectProfile(name: string | undefined): void;
  /** The profile in use: `--profile`, else FULLSTOP_PROFILE, else `default`; throws UsageError for a bad name. */
  profile(): string;
  settings(flags?: FlagSettings): Promise<Settings>;
  /** An API client for the configured server; fails with exit 2 when no URL is configured. */
  client(flags?: FlagSettings, use?: ClientUse): Promise<FullstopClient>;
  /** Closes the clients made by `client()`, so no kept-alive connection holds the process open. */
  close(): Promise<void>;
}

export interface ContextOptions {
  io: Io;
  env: Env;
  now?: () => Date;
  home?: string;
  signal?: AbortSignal;
  /** Overrides for the HTTP client (tests shorten `backoffMs` between retries). */
  http?: Partial<ClientOptions>;
}

const NO_FLAGS: FlagSettings = Object.freeze({});

/** Builds a Context from explicit parts (tests) — see {@link systemContext} for the real process. */
export function createContext(options: ContextOptions): Context {
  const { io, env } = options;
  const home = options.home ?? env.HOME ?? homedir();
  const dir = configDir(env, home);
  const legacy = legacyConfigPath(env, home);
  // Loaded on first use only: `--help` and `--version` never read the config file or load the client.
  let file: Promise<FileSettings> | undefined;
  let profileFlag: string | undefined;
  // A command asks for its settings more than once (for the client, for the default accounts): they are
  // resolved once per flags object, so both see the same values and a malformed variable fails alike.
  const resolved = new WeakMap<FlagSettings, Promise<Settings>>();
  const clients: FullstopClient[] = [];
  const context: Context = {
    io,
    env,
    now: options.now ?? (() => new Date()),
    configDir: dir,
    legacyConfigPath: legacy,
    signal: options.signal,
    selectProfile(name) {
      profileFlag = name;
    },
    profile: () => selectProfile(profileFlag, env),
    settings(flags = NO_FLAGS) {
      let settings = resolved.get(flags);
      if (!settings) {
        file ??= Promise.resolve()
          .then(() => context.profile())
          .then(async (profile) => (await import('./config-store.js')).loadFileSettings(dir, legacy, profile));
        settings = file.then((loaded) => resolveSettings({ flags, env, file: loaded }));
        resolved.set(flags, settings);
      }
      return settings;
    },
    async client(flags = NO_FLAGS, use = {}) {
      const settings = await context.settings(flags);
      if (!settings.url) {
        const profile = context.profile();
        const configure =
          profile === DEFAULT_PROFILE ? 'fullstop configure' : `fullstop --profile ${profile} configure`;
        throw new NotConfiguredError(`No Fullstop URL configured: run \`${configure}\` or set FULLSTOP_URL`);
      }
      const tokenCommand = settings.tokenCommand;
      const token =
        settings.token ??
        (tokenCommand
          ? await import('./token.js').then(({ runTokenCommand }) =>
              runTokenCommand(tokenCommand, env, use.tokenTimeoutMs),
            )
          : undefined);
      const { createClient } = await import('../client/client.js');
      const client = createClient({
        baseUrl: settings.url,
        token,
        timeoutMs: use.timeoutMs ?? settings.timeoutMs,
        signal: use.signal ?? options.signal,
        ...(use.connections !== undefined ? { connections: use.connections } : {}),
        ...options.http,
        ...(use.retries !== undefined ? { retries: use.retries } : {}),
      });
      clients.push(client);
      return client;
    },
    async close() {
      // The command's outcome is decided; a connection that fails to close must not change its exit code.
      await Promise.allSettled(clients.splice(0).map((client) => client.close()));
    },
  };
  return context;
}

/** The Context of the running process; Ctrl-C aborts `signal`. */
export function systemContext(signal?: AbortSignal): Context {
  return createContext({ io: systemIo(), env: process.env, signal });
}
