/**
 * Runs `main(argv, ctx)` in-process with buffered I/O, a fixed clock and a temporary config directory, and
 * returns what a user would see: exit code, stdout and stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createContext } from '../../src/cli/context.js';
import type { ConfirmPrompt, InputPrompt, Io, Prompter } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { BASE_URL, TOKEN } from './msw.js';

/** The fixed "now" of every CLI test: 2024-05-31T12:00:00Z. */
export const NOW = new Date('2024-05-31T12:00:00.000Z');

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** stdout, stderr and stdin are terminals. */
  tty?: boolean;
  /** The terminal's width when `tty` (default 200). */
  columns?: number;
  /** Scripted answers, consumed in order; a test fails if a prompt has no answer. */
  answers?: Array<string | boolean>;
  /** Environment without the default FULLSTOP_URL and FULLSTOP_TOKEN. */
  bare?: boolean;
  /** Stands for Ctrl-C: aborting it interrupts the command as the real process's SIGINT does. */
  signal?: AbortSignal;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  prompts: string[];
  /** The temporary directory used as HOME; the config dir is `<home>/config`. */
  home: string;
}

const homes: string[] = [];
afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

/** A new temporary HOME, removed after the test file. */
export function tempHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'fullstop-cli-test-'));
  homes.push(home);
  return home;
}

function scriptedPrompter(answers: Array<string | boolean>, prompts: string[]): Prompter {
  const next = (prompt: InputPrompt | ConfirmPrompt) => {
    prompts.push(prompt.message);
    if (answers.length === 0) throw new Error(`unexpected prompt: ${prompt.message}`);
    return answers.shift()!;
  };
  return {
    input: async (prompt) => {
      const answer = String(next(prompt));
      const value = answer === '' ? (prompt.default ?? '') : answer;
      const valid = prompt.validate?.(value) ?? true;
      if (valid !== true) throw new Error(`prompt "${prompt.message}" rejected "${value}": ${valid}`);
      return value;
    },
    confirm: async (prompt) => Boolean(next(prompt)),
  };
}

/** Runs the CLI; `home` reuses a HOME (and so a config directory) from an earlier run. */
export async function runCli(argv: string[], options: RunOptions = {}, home = tempHome()): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const prompts: string[] = [];
  const tty = options.tty ?? false;
  const io: Io = {
    out: (line) => void (stdout += `${line}\n`),
    err: (line) => void (stderr += `${line}\n`),
    stdoutIsTTY: tty,
    stderrIsTTY: tty,
    canPrompt: tty,
    columns: tty ? (options.columns ?? 200) : undefined,
    prompter: scriptedPrompter([...(options.answers ?? [])], prompts),
  };
  const env = {
    HOME: home,
    FULLSTOP_CONFIG_DIR: join(home, 'config'),
    ...(options.bare ? {} : { FULLSTOP_URL: BASE_URL, FULLSTOP_TOKEN: TOKEN }),
    ...options.env,
  };
  // No backoff between retries, so retried failures take milliseconds; a Retry-After is still honoured.
  const ctx = createContext({
    io,
    env,
    now: () => NOW,
    home,
    http: { backoffMs: () => 0 },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const code = await main(argv, ctx);
  return { code, stdout, stderr, prompts, home };
}
