/**
 * The bearer token for the registries: a fixed `token`, or the output of `token_command` (e.g.
 * `zign token -n fullstop`), run when first needed and again after a while or after a 401. The token is never
 * logged, and neither is the command's output.
 */
import { exec } from 'node:child_process';
import { promisify } from 'node:util';
import { LookupFailedError } from './errors.js';

const run = promisify(exec);

export interface TokenSource {
  get(): Promise<string>;
  /** Forget the token (the registry refused it); the next `get()` runs the command again. */
  invalidate(): void;
}

export interface TokenSettings {
  token?: string;
  token_command?: string;
}

const COMMAND_TIMEOUT_MS = 30_000;
/** OAuth2 service tokens live an hour or more; ask again well before. */
const REFRESH_AFTER_MS = 5 * 60_000;

export function tokenSource(settings: TokenSettings, now: () => number = Date.now): TokenSource | undefined {
  if (settings.token !== undefined) {
    const token = settings.token;
    return { get: async () => token, invalidate() {} };
  }
  const command = settings.token_command;
  if (command === undefined) return undefined;
  let current: { token: Promise<string>; at: number } | undefined;
  const fetchToken = async (): Promise<string> => {
    const failure = { system: 'token', lookup: 'token_command', key: command, retryable: true };
    let stdout: string;
    try {
      ({ stdout } = await run(command, { timeout: COMMAND_TIMEOUT_MS, windowsHide: true }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new LookupFailedError(
        failure,
        `the token command failed${code === undefined ? '' : ` (exit ${String(code)})`}`,
      );
    }
    const token = stdout.trim();
    if (token === '' || /\s/.test(token))
      throw new LookupFailedError(failure, 'the token command printed no single token');
    return token;
  };
  return {
    get() {
      if (current === undefined || now() - current.at > REFRESH_AFTER_MS) {
        const entry = { token: fetchToken(), at: now() };
        entry.token.catch(() => {
          if (current === entry) current = undefined;
        });
        current = entry;
      }
      return current.token;
    },
    invalidate() {
      current = undefined;
    },
  };
}
