/** Runs the configured token command (e.g. an OAuth2 helper) and returns what it printed, trimmed. */
import { execFile } from 'node:child_process';
import { CliError } from './errors.js';
import type { Env } from './settings.js';

const TOKEN_COMMAND_TIMEOUT_MS = 60_000;

/** Runs `command` with the shell and returns its trimmed stdout; a failure or empty output is a CliError. */
export function runTokenCommand(command: string, env: Env, timeoutMs = TOKEN_COMMAND_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { env: env as NodeJS.ProcessEnv, timeout: timeoutMs, maxBuffer: 1024 * 1024 },
      (error, stdout, stderr) => {
        const hint = 'check FULLSTOP_TOKEN_COMMAND or token_command in the config file, or set FULLSTOP_TOKEN';
        if (error) {
          const detail = String(stderr).trim().split('\n')[0] || error.message.split('\n')[0];
          const how = error.killed ? 'timed out' : `failed (exit ${String(error.code ?? '?')})`;
          reject(new CliError(`token command ${how}: ${detail}`, { hint, cause: error }));
          return;
        }
        const token = String(stdout).trim();
        if (token === '') reject(new CliError('token command printed nothing', { hint }));
        else resolve(token);
      },
    );
  });
}
