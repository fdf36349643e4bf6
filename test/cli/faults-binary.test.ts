/**
 * The built `fullstop` binary (a child process, real backoff between retries, real signals) against the real server
 * behind a fault-injecting peer: a few cells of the fault matrix of faults.test.ts, FULLSTOP_TIMEOUT, and Ctrl-C
 * (SIGINT) while a resolution is in flight.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BINARY } from '../e2e/server-process.js';
import { startFaultPeer, type FaultPeer } from '../helpers/fault-peer.js';
import { tempHome } from '../helpers/run-cli.js';
import { startSeededServer, type SeededServer } from '../helpers/seeded-server.js';

let server: SeededServer;
let peer: FaultPeer;

beforeAll(async () => {
  server = await startSeededServer();
  peer = await startFaultPeer({ upstream: server.url });
});

afterAll(async () => {
  await peer?.close();
  expect(await server?.stop()).toBe(0);
});

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = tempHome();
  return {
    PATH: process.env.PATH,
    HOME: home,
    FULLSTOP_CONFIG_DIR: join(home, 'config'),
    FULLSTOP_URL: peer.url,
    NO_COLOR: '1',
    ...extra,
  };
}

function cli(args: string[], extra: Record<string, string> = {}) {
  const started = performance.now();
  return new Promise<{ code: number; stdout: string; stderr: string; ms: number }>((resolve) => {
    execFile(
      process.execPath,
      [BINARY, ...args],
      { env: environment(extra), timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr, ms: performance.now() - started }),
    );
  });
}

describe('the fullstop binary through faults', () => {
  it('types: a server that drops every connection is retried 3 times, then exit 1 naming server and reason', async () => {
    peer.setFault((request) => (request.path === '/api/violation-types' ? 'drop' : undefined));
    const since = peer.log.length;
    const r = await cli(['types']);
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        `error: ${peer.url} closed the connection without answering (other side closed)\n` +
        'hint: the server, or a proxy in front of it, dropped the connection (4 attempts); try again later\n',
    });
    expect(peer.log.slice(since).map((entry) => entry.fault)).toEqual(['drop', 'drop', 'drop', 'drop']);
  });

  it('list-violations: a body cut short of its Content-Length, then the server heals on the third attempt', async () => {
    const [first] = (await server.seed(1)).ids;
    let attempts = 0;
    peer.setFault((request) => (request.path === '/api/violations' && ++attempts < 3 ? 'half-body' : undefined));
    const r = await cli(['list-violations', '-o', 'json', '-l', '2000']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as Array<{ id: number }>).map((v) => v.id)).toContain(first);
    expect(attempts).toBe(3);
  });

  it('list-violations: FULLSTOP_TIMEOUT=1 gives up on a silent server after a second; --timeout beats it', async () => {
    peer.setFault(() => 'stall');
    const r = await cli(['list-violations'], { FULLSTOP_TIMEOUT: '1' });
    expect(r).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        `error: no answer from ${peer.url} within 1 s\n` +
        'hint: raise --timeout (or FULLSTOP_TIMEOUT) if the server is just slow\n',
    });
    expect(r.ms).toBeLessThan(5_000);
    const flag = await cli(['list-violations', '--timeout', '2'], { FULLSTOP_TIMEOUT: '1' });
    expect(flag.stderr).toContain(`no answer from ${peer.url} within 2 s`);
    const bad = await cli(['list-violations'], { FULLSTOP_TIMEOUT: 'soon' });
    expect(bad).toMatchObject({
      code: 2,
      stderr: 'error: FULLSTOP_TIMEOUT: expected whole seconds from 1 to 3600, got "soon"\n',
    });
  });

  it('resolve-violations: a 401 stops the batch with exit 4, every violation reported failed', async () => {
    const { ids } = await server.seed(3);
    peer.setFault((request) =>
      request.path === '/api/violations/resolutions' && !request.body.includes('"ids":[]')
        ? { status: 401, body: '{"error":"invalid_token","error_description":"Access token expired"}' }
        : undefined,
    );
    const r = await cli(['resolve-violations', '-i', ids.join(','), '-o', 'json', 'c']);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toEqual(
      ids.map((id) => ({ id, status: 'failed', error: '401 invalid_token: Access token expired' })),
    );
    expect(r.stderr).toMatch(
      /\nerror: POST \S+\/api\/violations\/resolutions: 401 invalid_token: Access token expired\n/,
    );
    expect((await server.violations(ids)).map((v) => v.comment)).toEqual([null, null, null]);
  });

  it('Ctrl-C while a batch resolution is in flight: exit 130, the batch reported unknown, a rerun skips it', async () => {
    const { ids } = await server.seed(3);
    const comment = 'interrupted, then finished';
    let arrived: () => void = () => {};
    const inFlight = new Promise<void>((resolve) => (arrived = resolve));
    // Passed on (so applied), then half the answer and silence.
    peer.setFault((request) => {
      if (request.path !== '/api/violations/resolutions' || request.body.includes('"ids":[]')) return undefined;
      setTimeout(arrived, 50);
      return 'stall-body';
    });
    const child = spawn(process.execPath, [BINARY, 'resolve-violations', '-i', ids.join(','), '-o', 'json', comment], {
      env: environment(),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await inFlight;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const reason = 'interrupted; it may or may not have been applied';
    expect(JSON.parse(stdout)).toEqual(ids.map((id) => ({ id, status: 'unknown', error: reason })));
    expect(stderr).toContain('resolved 0, skipped 0, failed 0, unknown 3\n');
    expect(stderr).toMatch(/\nerror: interrupted: the violations not sent yet were not resolved\n$/);
    expect((await server.violations(ids)).map((v) => v.comment)).toEqual([comment, comment, comment]);

    peer.setFault(undefined);
    const rerun = await cli(['resolve-violations', '-i', ids.join(','), '-o', 'json', comment]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toEqual(ids.map((id) => ({ id, status: 'skipped', error: 'already resolved' })));
    expect((await server.violations(ids)).map((v) => v.version)).toEqual([1, 1, 1]);
  });
});
