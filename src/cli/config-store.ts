/**
 * Reads and writes the settings file: a `conf` store (`config.json`, mode 0600) in the config directory,
 * falling back to the original client's `fullstop.yaml` while no store exists yet. conf and yaml are loaded
 * here only, on demand, to keep start-up fast.
 *
 * Profiles: the default profile's settings are the file's top-level keys (the layout of every existing file);
 * a named profile's are under `profiles.<name>`, e.g. `{"url": …, "profiles": {"prod": {"url": …}}}`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, NotConfiguredError } from './errors.js';
import { checkUrl, DEFAULT_PROFILE, splitList, type FileSettings } from './settings.js';

const STORE_NAME = 'config';

/** The path of the settings store in `dir`. */
export function storePath(dir: string): string {
  return join(dir, `${STORE_NAME}.json`);
}

function readAccounts(value: unknown, path: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return splitList(value);
  if (typeof value === 'number') return [String(value).padStart(12, '0')];
  if (Array.isArray(value)) return value.map((item) => String(item).trim()).filter((item) => item !== '');
  throw new CliError(`${path}: "accounts" must be a comma-separated string or a list`);
}

function validate(raw: unknown, path: string): FileSettings {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new CliError(`${path}: expected a mapping of settings`);
  const record = raw as Record<string, unknown>;
  const url = record.url;
  if (url !== undefined && url !== null && (typeof url !== 'string' || checkUrl(url) !== true)) {
    throw new CliError(`${path}: "url" is not an http(s) URL`, { hint: 'run `fullstop configure` to fix it' });
  }
  const tokenCommand = record.token_command;
  if (tokenCommand !== undefined && tokenCommand !== null && typeof tokenCommand !== 'string') {
    throw new CliError(`${path}: "token_command" must be a string`);
  }
  return {
    url: typeof url === 'string' ? url : undefined,
    accounts: readAccounts(record.accounts, path),
    token_command: typeof tokenCommand === 'string' ? tokenCommand : undefined,
  };
}

async function openStore(dir: string) {
  const { default: Conf } = await import('conf');
  try {
    return new Conf<Record<string, unknown>>({
      projectName: 'fullstop',
      cwd: dir,
      configName: STORE_NAME,
      configFileMode: 0o600,
    });
  } catch (error) {
    throw new CliError(`cannot read ${storePath(dir)}: ${(error as Error).message}`, { cause: error });
  }
}

function profilesOf(raw: unknown, path: string): Record<string, unknown> {
  const profiles = (raw as Record<string, unknown> | null | undefined)?.profiles;
  if (profiles === undefined || profiles === null) return {};
  if (typeof profiles !== 'object' || Array.isArray(profiles)) {
    throw new CliError(`${path}: "profiles" must be a mapping of profile names to settings`);
  }
  return profiles as Record<string, unknown>;
}

async function loadLegacy(legacyPath: string): Promise<FileSettings | undefined> {
  if (!existsSync(legacyPath)) return undefined;
  const { parse } = await import('yaml');
  try {
    return validate(parse(readFileSync(legacyPath, 'utf8')), legacyPath);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${legacyPath}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads the settings of `profile` from the store in `dir`; the default profile falls back to the legacy YAML
 * file while no store exists. A named profile that is not configured is an error (exit 2) unless `lenient`.
 */
export async function loadFileSettings(
  dir: string,
  legacyPath: string,
  profile = DEFAULT_PROFILE,
  lenient = false,
): Promise<FileSettings> {
  const path = storePath(dir);
  const raw = existsSync(path) ? (await openStore(dir)).store : undefined;
  if (profile === DEFAULT_PROFILE) {
    return raw !== undefined ? validate(raw, path) : ((await loadLegacy(legacyPath)) ?? {});
  }
  const profiles = raw === undefined ? {} : profilesOf(raw, path);
  if (Object.hasOwn(profiles, profile)) return validate(profiles[profile], `${path} (profile ${profile})`);
  if (lenient) return {};
  throw new NotConfiguredError(`profile "${profile}" is not configured`, {
    hint: `run \`fullstop --profile ${profile} configure\`; configured: ${[
      DEFAULT_PROFILE,
      ...Object.keys(profiles),
    ].join(', ')}`,
  });
}

/** The profiles configured in `dir`: `default` first, then the named ones in the file's order. */
export async function listProfiles(dir: string): Promise<string[]> {
  const path = storePath(dir);
  if (!existsSync(path)) return [DEFAULT_PROFILE];
  return [DEFAULT_PROFILE, ...Object.keys(profilesOf((await openStore(dir)).store, path))];
}

/**
 * Writes `settings` over the store's `profile` in `dir` (created with mode 0600) and returns the file's path.
 * When the store is created for a named profile, the legacy YAML file's settings become its default profile,
 * since the YAML file is no longer read once the store exists.
 */
export async function saveFileSettings(
  dir: string,
  settings: FileSettings,
  profile = DEFAULT_PROFILE,
  legacyPath?: string,
): Promise<string> {
  const legacy =
    profile !== DEFAULT_PROFILE && legacyPath !== undefined && !existsSync(storePath(dir))
      ? await loadLegacy(legacyPath)
      : undefined;
  const store = await openStore(dir);
  const write = (prefix: string, values: FileSettings) => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) store.delete(`${prefix}${key}`);
      else store.set(`${prefix}${key}`, value);
    }
  };
  if (legacy) write('', legacy);
  write(profile === DEFAULT_PROFILE ? '' : `profiles.${profile}.`, settings);
  return store.path;
}
