/**
 * resolve-violations when faults hit some of its requests, against the real `fullstop server` behind a
 * fault-injecting peer: the report (stderr and `-o json`) says exactly which violations were resolved, which failed
 * and which are unknown (sent, answer lost), and a rerun against the healed peer resolves the rest, so that in the
 * store every violation ends resolved exactly once (version 1) with the given comment. The batch scenario runs the
 * built binary, the one-request-per-violation scenario `main()` in-process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_CHUNK } from '../../src/cli/commands/resolve-violations/execute.js';
import { BINARY } from '../e2e/server-process.js';
import { startFaultPeer, type Fault, type FaultPeer, type LogEntry } from '../helpers/fault-peer.js';
import { runCli, tempHome } from '../helpers/run-cli.js';
import { startSeededServer, type SeededServer } from '../helpers/seeded-server.js';

interface Result {
  id: number;
  status: string;
  error?: string;
}

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

function binary(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = tempHome();
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    FULLSTOP_CONFIG_DIR: join(home, 'config'),
    FULLSTOP_URL: peer.url,
    NO_COLOR: '1',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BINARY, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** Every stored violation of `ids` carries `comment` and was changed exactly once. */
async function expectResolvedOnce(ids: number[], comment: string): Promise<void> {
  const stored = await server.violations(ids);
  const wrong = stored.filter((v) => v.comment !== comment || v.version !== 1);
  expect(wrong.map((v) => ({ id: v.id, comment: v.comment, version: v.version }))).toEqual([]);
}

const statusCount = (results: Result[]) =>
  results.reduce<Record<string, number>>((counts, r) => ({ ...counts, [r.status]: (counts[r.status] ?? 0) + 1 }), {});

describe('resolve-violations through faults, then a rerun', () => {
  it('batch endpoint (binary): a chunk answered with half a body after it was applied, a dropped chunk, a 503', async () => {
    const { account, ids } = await server.seed(4 * BATCH_CHUNK);
    const comment = 'approved after the outage (SEC-7)';
    // The chunks' faults by order of arrival: the 503 is retried (a 503 says nothing was done), the others not.
    const faults: Array<Fault | undefined> = [undefined, 'half-body', 'drop', { status: 503 }];
    let chunk = 0;
    peer.setFault((request) => {
      if (request.path !== '/api/violations/resolutions' || request.body.includes('"ids":[]')) return undefined;
      return faults[chunk++];
    });
    const since = peer.log.length;
    const r = await binary(['resolve-violations', '--accounts', account, '-l', '2000', '-o', 'json', comment]);
    expect(r.code, r.stderr).toBe(1);

    const chunks = peer.log
      .slice(since)
      .filter((entry) => entry.path === '/api/violations/resolutions' && !entry.body.includes('"ids":[]'));
    // One request per chunk, plus the retry of the 503: none of the others was sent twice.
    expect(chunks.map((entry) => entry.fault)).toEqual(['none', 'half-body', 'drop', 'status 503', 'none']);
    const idsOf = (entry: LogEntry) => (JSON.parse(entry.body) as { ids: number[] }).ids;
    const expected = new Map<number, string>();
    for (const entry of chunks) {
      const status = entry.fault === 'none' ? 'resolved' : entry.fault === 'status 503' ? undefined : 'unknown';
      for (const id of idsOf(entry)) if (status) expected.set(id, status);
    }
    const results = JSON.parse(r.stdout) as Result[];
    expect(results.map((x) => [x.id, x.status])).toEqual(ids.map((id) => [id, expected.get(id)]));
    expect(statusCount(results)).toEqual({ resolved: 2 * BATCH_CHUNK, unknown: 2 * BATCH_CHUNK });
    const cut = results.find((x) => x.id === idsOf(chunks[1]!)[0]);
    expect(cut?.error).toBe(
      `${peer.url} closed the connection before the answer was complete (other side closed); it may or may not have been applied`,
    );
    const dropped = results.find((x) => x.id === idsOf(chunks[2]!)[0]);
    expect(dropped?.error).toBe(
      `${peer.url} closed the connection without answering (other side closed); it may or may not have been applied`,
    );
    // stderr names each item with its status, and sums up.
    for (const x of results)
      expect(`\n${r.stderr}`).toContain(`\n${x.status} ${x.id} (${account}/eu-west-1 WRONG_REGION)`);
    expect(r.stderr).toContain(`\nresolved ${2 * BATCH_CHUNK}, skipped 0, failed 0, unknown ${2 * BATCH_CHUNK}\n`);
    expect(r.stderr).toContain('hint: the answer for 500 violation(s) was lost, so they may or may not be resolved');

    // In the store: the chunk cut after it was applied is resolved, the dropped one is not.
    const stored = await server.violations(ids);
    const resolvedNow = new Set(stored.filter((v) => v.comment !== null).map((v) => v.id));
    expect(idsOf(chunks[1]!).every((id) => resolvedNow.has(id))).toBe(true);
    expect(idsOf(chunks[2]!).some((id) => resolvedNow.has(id))).toBe(false);
    expect(resolvedNow.size).toBe(3 * BATCH_CHUNK);

    peer.setFault(undefined);
    const rerun = await binary(['resolve-violations', '--accounts', account, '-l', '2000', '-o', 'json', comment]);
    expect(rerun.code, rerun.stderr).toBe(0);
    // The rerun lists the open violations only: exactly the dropped chunk.
    expect((JSON.parse(rerun.stdout) as Result[]).map((x) => x.id)).toEqual(idsOf(chunks[2]!).sort((a, b) => a - b));
    expect(rerun.stderr).toContain(`resolved ${BATCH_CHUNK}, skipped 0, failed 0\n`);
    await expectResolvedOnce(ids, comment);
  });

  it('one request per violation (in-process): every third resolution dropped, before or after it was applied', async () => {
    const { ids } = await server.seed(30);
    const comment = 'false positive';
    let resolution = 0;
    const original = (path: string): Fault | undefined =>
      path === '/api/violations/resolutions' ? { status: 405, body: '' } : undefined;
    peer.setFault((request) => {
      if (!request.path.endsWith('/resolution')) return original(request.path);
      resolution++;
      if (resolution % 3 !== 0) return undefined;
      return resolution % 6 === 0 ? 'drop-after' : 'drop';
    });
    const argv = ['resolve-violations', '-i', ids.join(','), '-o', 'json', comment];
    const since = peer.log.length;
    const r = await runCli(argv, { env: { FULLSTOP_URL: peer.url } });
    expect(r.code, r.stderr).toBe(1);

    const sent = peer.log.slice(since).filter((entry) => entry.path.endsWith('/resolution'));
    const idOf = (entry: LogEntry) => Number(/\/violations\/(\d+)\//.exec(entry.path)![1]);
    // Each violation's resolution was sent once: a lost answer is not sent again.
    expect(sent.map(idOf).sort((a, b) => a - b)).toEqual(ids);
    const byId = new Map(sent.map((entry) => [idOf(entry), entry.fault]));
    const results = JSON.parse(r.stdout) as Result[];
    expect(results.map((x) => [x.id, x.status])).toEqual(
      ids.map((id) => [id, byId.get(id) === 'none' ? 'resolved' : 'unknown']),
    );
    expect(statusCount(results)).toEqual({ resolved: 20, unknown: 10 });
    expect(r.stderr).toContain('resolved 20, skipped 0, failed 0, unknown 10\n');
    for (const x of results.filter((y) => y.status === 'unknown')) {
      expect(r.stderr).toContain(`unknown ${x.id} (`);
      expect(x.error).toBe(
        `${peer.url} closed the connection without answering (other side closed); it may or may not have been applied`,
      );
    }
    const applied = new Set(sent.filter((entry) => entry.fault !== 'drop').map(idOf));
    const stored = await server.violations(ids);
    expect(stored.filter((v) => v.comment !== null).map((v) => v.id)).toEqual(ids.filter((id) => applied.has(id)));

    peer.setFault((request) => original(request.path));
    const rerun = await runCli(argv, { env: { FULLSTOP_URL: peer.url } });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(JSON.parse(rerun.stdout)).toEqual(
      ids.map((id) =>
        applied.has(id) ? { id, status: 'skipped', error: 'already resolved' } : { id, status: 'resolved' },
      ),
    );
    expect(rerun.stderr).toContain('resolved 5, skipped 25, failed 0\n');
    await expectResolvedOnce(ids, comment);
  });
});
