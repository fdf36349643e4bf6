/**
 * Reads and writes the settings file: a `conf` store (`config.json`, mode 0600) in the config directory,
 * falling back to the original client's `fullstop.yaml` while no store exists yet. conf and yaml are loaded
 * here only, on demand, to keep start-up fast.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError } from './errors.js';
import { checkUrl, splitList, type FileSettings } from './settings.js';

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

/** Reads the settings file of `dir`, or the legacy YAML file when the store does not exist yet. */
export async function loadFileSettings(dir: string, legacyPath: string): Promise<FileSettings> {
  if (existsSync(storePath(dir))) return validate((await openStore(dir)).store, storePath(dir));
  if (!existsSync(legacyPath)) return {};
  const { parse } = await import('yaml');
  try {
    return validate(parse(readFileSync(legacyPath, 'utf8')), legacyPath);
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`cannot read ${legacyPath}: ${(error as Error).message}`, { cause: error });
  }
}

/** Writes `settings` over the store in `dir` (created with mode 0600); returns the file's path. */
export async function saveFileSettings(dir: string, settings: FileSettings): Promise<string> {
  const store = await openStore(dir);
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) store.delete(key);
    else store.set(key, value);
  }
  return store.path;
}
