/**
 * `fullstop resolve-violations` (the built binary) against the real server process: it finds the batch endpoint
 * and resolves in chunks, reports every item (resolved, skipped, failed with the server's reason) and exits 1
 * when any failed, so that a rerun finishes the job. The fallback to one request per violation is tested
 * against the Java server's answers in test/cli/resolve-violations.test.ts.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { BATCH_CHUNK } from '../../src/cli/commands/resolve-violations/execute.js';
import { BINARY, startServerProcess, type ServerProcess } from './server-process.js';

const A = '111111111111';
const B = '222222222222';
const ADMIN = 'batch-admin-token';
const ALICE = 'batch-alice-token';
/** More than two chunks in account A, a few in B. */
const IN_A = 2 * BATCH_CHUNK + 10;
const IN_B = 5;

let dir: string;
let server: ServerProcess;
let store: ViolationStore;

function cli(args: string[], token = ADMIN): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    FULLSTOP_CONFIG_DIR: join(dir, 'cli'),
    FULLSTOP_URL: server.url,
    FULLSTOP_TOKEN: token,
    NO_COLOR: '1',
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [BINARY, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** The requests the server logged since `from` (an index into its log lines), as "METHOD path status". */
function requests(from: number): string[] {
  return server.logs
    .slice(from)
    .filter((line) => line.includes('"request completed"'))
    .map((line) => JSON.parse(line) as { method: string; url: string; statusCode: number })
    .map((entry) => `${entry.method} ${entry.url.split('?')[0]} ${entry.statusCode}`);
}

const idsOf = async (account: string, checked = false) =>
  (
    await store.listViolations(
      { accounts: [account], ...(checked ? { checked: true } : {}) },
      { page: 0, size: 2000, sort: [{ property: 'id', direction: 'ASC' }] },
    )
  ).content.map((v) => v.id);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-e2e-batch-'));
  const db = `sqlite:${join(dir, 'fullstop.db')}`;
  writeFileSync(
    join(dir, 'server.yaml'),
    `auth:\n  tokens:\n    - { token: ${ADMIN}, uid: admin, accounts: "*" }\n    - { token: ${ALICE}, uid: alice, accounts: ["${A}"] }\n`,
  );
  store = await openStore(db);
  const draft = (account: string, i: number) => ({
    eventId: `${account}-${i}`,
    accountId: account,
    region: 'eu-west-1',
    type: 'WRONG_REGION',
    instanceId: `i-${i}`,
  });
  await store.insertViolations([
    ...Array.from({ length: IN_A }, (_, i) => draft(A, i)),
    ...Array.from({ length: IN_B }, (_, i) => draft(B, i)),
  ]);
  server = await startServerProcess(['--db', db, '--config', join(dir, 'server.yaml')]);
});

afterAll(async () => {
  const code = await server?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  expect(code).toBe(0);
});

describe('resolve-violations against a server with the batch endpoint', () => {
  it('resolves in chunks, one request each after one probe, reporting every item', async () => {
    const before = server.logs.length;
    const r = await cli(['resolve-violations', '--accounts', A, '-l', '1000', '-o', 'json', 'approved']);
    expect(r.code, r.stderr).toBe(0);
    const ids = await idsOf(A, true);
    expect(ids).toHaveLength(IN_A);
    expect(JSON.parse(r.stdout)).toEqual(ids.map((id) => ({ id, status: 'resolved' })));
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.pop()).toBe(`resolved ${IN_A}, skipped 0, failed 0`);
    expect(lines.sort()).toEqual(ids.map((id) => `resolved ${id} (${A}/eu-west-1 WRONG_REGION)`).sort());
    expect(requests(before)).toEqual([
      'GET /api/violations 200',
      ...Array.from({ length: 4 }, () => 'POST /api/violations/resolutions 200'),
    ]);
    expect((await store.getViolation(ids[0]!))!).toMatchObject({ comment: 'approved', last_modified_by: 'admin' });
  });

  it('fails what the token may not resolve and what does not exist, exits 1, and a rerun finishes the job', async () => {
    const inB = await idsOf(B);
    const [resolvedBefore] = await idsOf(A, true);
    // A new open violation of A, written by another connection (as `fullstop ingest` would).
    await store.insertViolations([{ eventId: 'late', accountId: A, region: 'eu-west-1', type: 'WRONG_AMI' }]);
    const [late] = (
      await store.listViolations({ accounts: [A], types: ['WRONG_AMI'] }, { page: 0, size: 1, sort: [] })
    ).content.map((v) => v.id);
    const ids = [late!, resolvedBefore!, ...inB, 999_999];
    const r = await cli(['resolve-violations', '-i', ids.join(','), '-o', 'json', 'mine'], ALICE);
    expect(r.code).toBe(1);
    const forbidden = `403 forbidden: alice may not resolve violations of account ${B}`;
    expect(JSON.parse(r.stdout)).toEqual(
      [
        { id: late!, status: 'resolved' },
        { id: resolvedBefore!, status: 'skipped', error: 'already resolved' },
        ...inB.map((id) => ({ id, status: 'failed', error: forbidden })),
        { id: 999_999, status: 'failed', error: 'not found' },
      ].sort((x, y) => x.id - y.id),
    );
    expect(r.stderr).toContain(`failed ${inB[0]} (${B}/eu-west-1 WRONG_REGION): ${forbidden}\n`);
    expect(r.stderr).toContain(`resolved 1, skipped 1, failed ${inB.length + 1}\n`);
    expect(await idsOf(B, true)).toEqual([]);

    const rerun = await cli(['resolve-violations', '--accounts', `${A},${B}`, '-l', '1000', 'admin did it']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`resolved ${inB.length}, skipped 0, failed 0\n`);
    expect(await idsOf(B)).toEqual([]);
  });
});
