/**
 * The built `fullstop` binary against the real server process, no mocks: configure, types, list-violations
 * with each filter and output format, resolve-violations with filters, ids and --dry-run, and the server's state
 * after each step (read through a second SQLite connection).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import type { Violation } from '../../src/shared/violation.js';
import { BINARY, startServerProcess, type ServerProcess } from './server-process.js';

const run = promisify(execFile);
const A = '111111111111';
const B = '222222222222';
const ADMIN = 'e2e-admin-token';
const ALICE = 'e2e-alice-token';

let dir: string;
let server: ServerProcess;
let store: ViolationStore;

async function cli(args: string[], token = ADMIN): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    FULLSTOP_CONFIG_DIR: join(dir, 'cli'),
    FULLSTOP_TOKEN: token,
    NO_COLOR: '1',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [BINARY, ...args], { env, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
const json = async (args: string[]) => {
  const result = await cli([...args, '-o', 'json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Violation[];
};
const eventIds = (violations: Violation[]) => violations.map((v) => v.event_id).sort();
const comments = async () => {
  const page = await store.listViolations(
    { checked: true },
    { page: 0, size: 100, sort: [{ property: 'id', direction: 'ASC' }] },
  );
  return Object.fromEntries(page.content.map((v) => [v.event_id, v.comment]));
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fullstop-e2e-'));
  const db = `sqlite:${join(dir, 'fullstop.db')}`;
  writeFileSync(
    join(dir, 'server.yaml'),
    `auth:\n  tokens:\n    - { token: ${ADMIN}, uid: admin, accounts: "*", teams: [stups] }\n    - { token: ${ALICE}, uid: alice, accounts: ["${A}"] }\n`,
  );
  store = await openStore(db);
  await store.insertViolations([
    {
      eventId: 'a1',
      accountId: A,
      region: 'eu-west-1',
      type: 'WRONG_REGION',
      instanceId: 'i-1',
      metaInfo: { ami_name: 'taupage-1', public: true },
    },
    {
      eventId: 'a2',
      accountId: A,
      region: 'us-east-1',
      type: 'WRONG_REGION',
      instanceId: 'i-2',
      metaInfo: { ami_name: 'other' },
    },
    {
      eventId: 'a3',
      accountId: A,
      region: 'eu-west-1',
      type: 'WRONG_AMI',
      applicationId: 'kio',
      applicationVersion: '1.0',
      metaInfo: { ami_name: 'bad-ami' },
    },
    { eventId: 'b1', accountId: B, region: 'eu-central-1', type: 'UNSECURED_ROOT_USER', metaInfo: ['root'] },
    { eventId: 'b2', accountId: B, region: 'eu-west-1', type: 'EC2_WITH_KEYPAIR', metaInfo: null },
  ]);
  server = await startServerProcess(['--db', db, '--config', join(dir, 'server.yaml')]);
});

afterAll(async () => {
  const code = await server?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
  expect(code).toBe(0);
});

describe('fullstop CLI against fullstop server', () => {
  it('configures the server URL and accounts', async () => {
    const result = await cli(['configure', '--url', server.url, '--accounts', `${A},${B}`]);
    expect(result.code, result.stderr).toBe(0);
  });

  it('lists the types', async () => {
    const types = (await json(['types'])) as unknown as Array<{ id: string }>;
    expect(types).toHaveLength(32);
    expect(types.map((t) => t.id)).toEqual([...types.map((t) => t.id)].sort());
    const tsv = await cli(['types', '-o', 'tsv']);
    expect(tsv.stdout.split('\n')[0]).toMatch(/^id\t/);
  });

  it('lists violations with each filter', async () => {
    expect(eventIds(await json(['list-violations']))).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
    expect(eventIds(await json(['list-violations', '--accounts', B]))).toEqual(['b1', 'b2']);
    expect(eventIds(await json(['list-violations', '-t', 'WRONG_REGION,WRONG_AMI']))).toEqual(['a1', 'a2', 'a3']);
    expect(eventIds(await json(['list-violations', '-r', 'eu-west-1']))).toEqual(['a1', 'a3', 'b2']);
    expect(eventIds(await json(['list-violations', '--severity', '4']))).toEqual(['b1']);
    expect(eventIds(await json(['list-violations', '--applications', 'kio', '--application-versions', '1.0']))).toEqual(
      ['a3'],
    );
    expect(eventIds(await json(['list-violations', '-m', 'ami_name=other']))).toEqual(['a2']);
    // The original compared Python's str() of a value: `True` for a JSON true.
    expect(eventIds(await json(['list-violations', '-m', 'public=True']))).toEqual(['a1']);
    expect(eventIds(await json(['list-violations', '-m', 'public=true,ami_name=taupage-1']))).toEqual(['a1']);
    expect(eventIds(await json(['list-violations', '-x', '.*bad-ami']))).toEqual(['a3']);
    expect(eventIds(await json(['list-violations', '-l', '2']))).toEqual(['b1', 'b2']);
    expect(eventIds(await json(['list-violations', '--since', '30d', '--until', '7d']))).toEqual([]);
  });

  it('prints every output format', async () => {
    const text = await cli(['list-violations', '-t', 'WRONG_AMI']);
    expect(text.stdout).toContain('WRONG_AMI');
    const tsv = (await cli(['list-violations', '-o', 'tsv'])).stdout.trim().split('\n');
    expect(tsv).toHaveLength(6);
    const csv = (await cli(['list-violations', '-o', 'csv'])).stdout.trim().split('\n');
    expect(csv).toHaveLength(6);
    const ndjson = (await cli(['list-violations', '-o', 'ndjson'])).stdout.trim().split('\n');
    expect(ndjson.map((line) => (JSON.parse(line) as Violation).event_id).sort()).toEqual([
      'a1',
      'a2',
      'a3',
      'b1',
      'b2',
    ]);
  });

  it('previews with --dry-run and changes nothing', async () => {
    const result = await cli(['resolve-violations', '-t', 'WRONG_REGION', '--dry-run', 'dry']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/a1|i-1|WRONG_REGION/);
    expect(await comments()).toEqual({});
  });

  it('resolves by filter, then skips what already has a comment', async () => {
    const result = await cli(['resolve-violations', '-t', 'WRONG_REGION', '-r', 'us-east-1', 'DR region approved']);
    expect(result.code, result.stderr).toBe(0);
    expect(await comments()).toEqual({ a2: 'DR region approved' });
    const resolved = await store.listViolations(
      { checked: true },
      { page: 0, size: 10, sort: [{ property: 'id', direction: 'ASC' }] },
    );
    expect(resolved.content[0]).toMatchObject({ last_modified_by: 'admin' });
    expect(eventIds(await json(['list-violations', '--all', '-t', 'WRONG_REGION']))).toEqual(['a1', 'a2']);
    expect(eventIds(await json(['list-violations', '-t', 'WRONG_REGION']))).toEqual(['a1']);
  });

  it('resolves --violation-ids, reporting each item as JSON', async () => {
    const ids = (await json(['list-violations', '--accounts', B])).map((v) => v.id);
    const result = await cli(['resolve-violations', '-i', ids.join(','), '-o', 'json', 'root fixed']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(
      expect.arrayContaining(ids.map((id) => expect.objectContaining({ id, status: 'resolved' }))),
    );
    expect(await comments()).toEqual({ a2: 'DR region approved', b1: 'root fixed', b2: 'root fixed' });
  });

  it('fails (and changes nothing) where the token may not act on the account', async () => {
    const [a1] = await json(['list-violations', '-t', 'WRONG_REGION']);
    const denied = await cli(['resolve-violations', '-i', String(a1!.id), 'not mine'], 'unknown-token');
    expect(denied.code).not.toBe(0);
    const ok = await cli(['resolve-violations', '-i', String(a1!.id), 'mine'], ALICE);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await comments()).a1).toBe('mine');
  });
});
