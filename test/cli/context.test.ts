/**
 * The context resolves the settings once per command (a listing asks for them twice: for the client and for
 * the default accounts), and the precedence flag > environment > file > default holds through it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/context.js';
import type { Io } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { Env } from '../../src/cli/settings.js';
import { BASE_URL, javaServer, TOKEN, useMsw } from '../helpers/msw.js';
import { tempHome } from '../helpers/run-cli.js';

useMsw();

const A = '123456789012';
const B = '210987654321';

function bufferedIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => void stdout.push(line),
    err: (line) => void stderr.push(line),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    canPrompt: false,
    columns: undefined,
    prompter: {
      input: () => Promise.reject(new Error('no prompt expected')),
      confirm: () => Promise.reject(new Error('no prompt expected')),
    },
  };
}

/** An environment that counts how often each variable is read. */
function countingEnv(values: Env): { env: Env; reads: (name: string) => number } {
  const counts = new Map<string, number>();
  const env = new Proxy(values, {
    get(target, name) {
      if (typeof name === 'string') counts.set(name, (counts.get(name) ?? 0) + 1);
      return Reflect.get(target, name) as string | undefined;
    },
  });
  return { env, reads: (name) => counts.get(name) ?? 0 };
}

/** A HOME whose config directory holds `config.json` with `settings`. */
function homeWithConfig(settings: Record<string, unknown>): { home: string; dir: string } {
  const home = tempHome();
  const dir = join(home, 'config');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(settings));
  return { home, dir };
}

describe('settings resolution', () => {
  it.each([
    [['list-violations', '-o', 'json']],
    [['resolve-violations', '-t', 'WRONG_AMI', '--dry-run', '-o', 'json', 'c']],
  ])('%j resolves the settings once', async (argv) => {
    javaServer();
    const { home, dir } = homeWithConfig({ accounts: A });
    const { env, reads } = countingEnv({
      HOME: home,
      FULLSTOP_CONFIG_DIR: dir,
      FULLSTOP_URL: BASE_URL,
      FULLSTOP_TOKEN: TOKEN,
    });
    const io = bufferedIo();
    const code = await main(argv, createContext({ io, env, home, now: () => new Date('2024-05-31T12:00:00Z') }));
    expect(io.stderr).toEqual(
      argv[0] === 'list-violations' ? [] : ['dry run: would resolve 2, skip 0; nothing was changed'],
    );
    expect(code).toBe(0);
    // resolveSettings reads each of these exactly once.
    for (const name of ['FULLSTOP_URL', 'FULLSTOP_ACCOUNTS', 'FULLSTOP_TOKEN']) expect(reads(name)).toBe(1);
  });

  it('keeps flag > environment > file > default, per set of flags', async () => {
    const { home, dir } = homeWithConfig({ url: 'https://file.example.org', accounts: A, token_command: 'echo t' });
    const ctx = createContext({ io: bufferedIo(), env: { FULLSTOP_CONFIG_DIR: dir }, home });
    expect(await ctx.settings()).toMatchObject({
      url: 'https://file.example.org',
      accounts: [A],
      token: undefined,
      tokenCommand: 'echo t',
      timeoutMs: 30_000,
    });
    const flags = { accounts: [B], token: 'flag-token', timeout: 5 };
    expect(await ctx.settings(flags)).toMatchObject({ accounts: [B], token: 'flag-token', timeoutMs: 5000 });
    expect(await ctx.settings(flags)).toBe(await ctx.settings(flags));
    expect(await ctx.settings()).toMatchObject({ accounts: [A], token: undefined });

    const withEnv = createContext({
      io: bufferedIo(),
      env: { FULLSTOP_CONFIG_DIR: dir, FULLSTOP_URL: 'https://env.example.org', FULLSTOP_ACCOUNTS: B },
      home,
    });
    expect(await withEnv.settings()).toMatchObject({ url: 'https://env.example.org', accounts: [B] });
    expect(await withEnv.settings({ accounts: [A] })).toMatchObject({ url: 'https://env.example.org', accounts: [A] });
  });

  it('fails the same way on every call when the environment is malformed', async () => {
    const ctx = createContext({ io: bufferedIo(), env: { FULLSTOP_ACCOUNTS: '42' }, home: tempHome() });
    await expect(ctx.settings()).rejects.toThrow('FULLSTOP_ACCOUNTS: not a 12-digit AWS account id: 42');
    await expect(ctx.client()).rejects.toThrow('FULLSTOP_ACCOUNTS: not a 12-digit AWS account id: 42');
  });
});
