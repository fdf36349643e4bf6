/**
 * `fullstop watch` as a process against the real server: violations stored while it runs come out as NDJSON,
 * a server that goes away and comes back costs notes on stderr but no violation, and SIGTERM or SIGINT end it
 * with exit status 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { Violation } from '../../src/shared/violation.js';
import { BINARY, startServerProcess, type ServerProcess } from './server-process.js';

const A = '111111111111';
let dir: string;
let db: string;
let server: ServerProcess;
let store: ViolationStore;

interface Watcher {
  child: ChildProcess;
  lines: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function watch(args: string[]): Watcher {
  const child = spawn(process.execPath, [BINARY, 'watch', ...args], {
    env: { PATH: process.env.PATH, HOME: dir, FULLSTOP_CONFIG_DIR: join(dir, 'cli'), FULLSTOP_URL: server.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const watcher: Watcher = {
    child,
    lines: [],
    stderr: [],
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
  };
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    watcher.lines.push(...parts);
  });
  child.stderr!.on('data', (chunk: Buffer) => watcher.stderr.push(chunk.toString()));
  return watcher;
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const eventIds = (w: Watcher) => w.lines.map((line) => (JSON.parse(line) as Violation).event_id);
const insert = (...ids: string[]) =>
  store.insertViolations(ids.map((eventId) => ({ eventId, accountId: A, region: 'us-east-1', type: 'WRONG_REGION' })));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-e2e-watch-'));
  db = `sqlite:${join(dir, 'fullstop.db')}`;
  store = await openStore(db);
  await insert('old-1', 'old-2');
  server = await startServerProcess(['--db', db, '--no-auth']);
});

afterAll(async () => {
  await server?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fullstop watch against fullstop server', () => {
  it('prints what arrives, rides out a server restart without losing a violation, and exits 0 on SIGTERM', async () => {
    const watcher = watch(['-o', 'ndjson', '--interval', '200ms']);
    // The first poll notes the newest violation; only later ones are printed.
    await until(() => server.logs.some((line) => line.includes('/api/violations?')), 'the first poll');
    await insert('new-1');
    await until(() => watcher.lines.length === 1, 'new-1');
    expect(eventIds(watcher)).toEqual(['new-1']);

    const port = new URL(server.url).port;
    expect(await server.stop()).toBe(0);
    await until(() => watcher.stderr.join('').includes('trying again'), 'a note about the failing server');
    expect(watcher.stderr.join('')).toMatch(
      /^warning: could not reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); trying again in \d+(\.\d)? s\n/,
    );
    await insert('while-down');
    server = await startServerProcess(['--db', db, '--no-auth', '--port', port]);
    await insert('after-restart');
    await until(() => watcher.lines.length === 3, 'the violations stored while the server was away', 30_000);
    expect(eventIds(watcher)).toEqual(['new-1', 'while-down', 'after-restart']);
    expect(watcher.stderr.join('')).toMatch(/warning: the server answers again \(after \d+ failed polls?\)\n$/);

    watcher.child.kill('SIGTERM');
    expect(await watcher.exited).toBe(0);
  });

  it('--since prints the period first as text lines; SIGINT (Ctrl-C) exits 0', async () => {
    const watcher = watch(['--since', '1h', '--interval', '200ms']);
    await until(() => watcher.lines.length >= 3, 'the backfill');
    expect(watcher.lines[0]).toMatch(/^\S+Z +111111111111 +us-east-1 +\d+ +WRONG_REGION +-$/);
    watcher.child.kill('SIGINT');
    expect(await watcher.exited).toBe(0);
    expect(watcher.stderr.join('')).toBe('');
  });
});
