/**
 * Settings precedence, in one pure function: flag > environment > config file > default. Nothing here
 * touches the disk; `config-store.ts` reads and writes the file.
 */
import { join } from 'node:path';
import { UsageError } from './errors.js';

export type Env = Record<string, string | undefined>;
export type Source = 'flag' | 'env' | 'file' | 'default' | 'none';

/** What the config file holds (the original client's keys, plus `token_command`). */
export interface FileSettings {
  url?: string | undefined;
  accounts?: string[] | undefined;
  token_command?: string | undefined;
}

export interface FlagSettings {
  accounts?: string[] | undefined;
  token?: string | undefined;
  /** Seconds. */
  timeout?: number | undefined;
}

export interface Settings {
  url: string | undefined;
  accounts: string[];
  /** A literal token, when one was given. */
  token: string | undefined;
  /** A shell command that prints a token, used only when no literal token was given. */
  tokenCommand: string | undefined;
  timeoutMs: number;
  sources: { url: Source; accounts: Source; token: Source };
}

export const DEFAULT_TIMEOUT_SECONDS = 30;

/** The profile whose settings sit at the top of the config file, where they always were. */
export const DEFAULT_PROFILE = 'default';

/** Letters, digits, `-` and `_`: the config store addresses a profile by dotted key paths (`profiles.prod.url`). */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Checks a profile name; `what` names the input in the error (`--profile`, `FULLSTOP_PROFILE`). */
export function parseProfileName(text: string, what = '--profile'): string {
  const name = text.trim();
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(`${what}: invalid profile name "${text}": use letters, digits, - and _ (up to 64)`);
  }
  return name;
}

/** The profile a command uses: `--profile`, else FULLSTOP_PROFILE, else the default one. */
export function selectProfile(flag: string | undefined, env: Env): string {
  if (flag !== undefined) return parseProfileName(flag);
  const fromEnv = nonEmpty(env.FULLSTOP_PROFILE);
  return fromEnv === undefined ? DEFAULT_PROFILE : parseProfileName(fromEnv, 'FULLSTOP_PROFILE');
}

const ACCOUNT_ID = /^\d{12}$/;

/** FULLSTOP_TIMEOUT in seconds, as `--timeout` takes it; undefined when unset. */
function envTimeout(env: Env): number | undefined {
  const text = nonEmpty(env.FULLSTOP_TIMEOUT);
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!/^\d+$/.test(text) || seconds < 1 || seconds > 3600) {
    throw new UsageError(`FULLSTOP_TIMEOUT: expected whole seconds from 1 to 3600, got "${text}"`);
  }
  return seconds;
}

/** Splits a comma-separated list, dropping blanks: `"a, b,"` → `["a", "b"]`. */
export function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** Parses AWS account ids (comma separated, 12 digits each); `what` names the input in the error. */
export function parseAccounts(text: string, what = '--accounts'): string[] {
  const accounts = splitList(text);
  const bad = accounts.filter((account) => !ACCOUNT_ID.test(account));
  if (bad.length > 0) {
    throw new UsageError(`${what}: not a 12-digit AWS account id: ${bad.join(', ')}`);
  }
  return accounts;
}

/** Returns the URL if it is an absolute http(s) URL, else an explanation. */
export function checkUrl(text: string): true | string {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? true : `not an http(s) URL: ${text}`;
  } catch {
    return `not a URL: ${text}`;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined;
}

/** Resolves every setting from flags, environment and file; throws UsageError for a malformed env value. */
export function resolveSettings(input: { flags: FlagSettings; env: Env; file: FileSettings }): Settings {
  const { flags, env, file } = input;

  const envUrl = nonEmpty(env.FULLSTOP_URL);
  if (envUrl !== undefined && checkUrl(envUrl) !== true) throw new UsageError(`FULLSTOP_URL: ${checkUrl(envUrl)}`);
  const url = envUrl ?? nonEmpty(file.url);

  const envAccounts = nonEmpty(env.FULLSTOP_ACCOUNTS);
  const [accounts, accountsSource]: [string[], Source] =
    flags.accounts && flags.accounts.length > 0
      ? [flags.accounts, 'flag']
      : envAccounts !== undefined
        ? [parseAccounts(envAccounts, 'FULLSTOP_ACCOUNTS'), 'env']
        : file.accounts && file.accounts.length > 0
          ? [file.accounts, 'file']
          : [[], 'none'];

  const flagToken = nonEmpty(flags.token);
  const envToken = nonEmpty(env.FULLSTOP_TOKEN);
  const envCommand = nonEmpty(env.FULLSTOP_TOKEN_COMMAND);
  const fileCommand = nonEmpty(file.token_command);
  const token = flagToken ?? envToken;
  const tokenCommand = token === undefined ? (envCommand ?? fileCommand) : undefined;
  const tokenSource: Source = flagToken ? 'flag' : envToken || envCommand ? 'env' : fileCommand ? 'file' : 'none';

  return {
    url: url?.replace(/\/+$/, ''),
    accounts,
    token,
    tokenCommand,
    timeoutMs: (flags.timeout ?? envTimeout(env) ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
    sources: { url: envUrl ? 'env' : url ? 'file' : 'none', accounts: accountsSource, token: tokenSource },
  };
}

/** The config directory: `$FULLSTOP_CONFIG_DIR`, else `$XDG_CONFIG_HOME/fullstop`, else `~/.config/fullstop`. */
export function configDir(env: Env, home: string): string {
  const explicit = nonEmpty(env.FULLSTOP_CONFIG_DIR);
  if (explicit) return explicit;
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  return join(xdg ?? join(home, '.config'), 'fullstop');
}

/** Where the original Python client kept its settings (click's app dir, which honours XDG_CONFIG_HOME). */
export function legacyConfigPath(env: Env, home: string): string {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  return join(xdg ?? join(home, '.config'), 'fullstop', 'fullstop.yaml');
}
