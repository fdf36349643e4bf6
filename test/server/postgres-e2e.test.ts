/**
 * PostgreSQL end to end, as users run it: the built binary ingests generated CloudTrail logs into PostgreSQL (and
 * finds exactly what it finds with SQLite), then two `fullstop server` processes share that database, one given
 * `--db`, the other FULLSTOP_DB, as two replicas would be, and the CLI lists through one and resolves through the
 * other. Needs `npm run build` first (`npm test` does it).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../../src/server/store/open-store.js';
import type { Violation } from '../../src/shared/violation.js';
import { BINARY, startServerProcess, type ServerProcess } from '../e2e/server-process.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from '../store/pg.js';

const run = promisify(execFile);
const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');
const TOKEN = 'pg-e2e-token';

let dir: string;
let schema: TestSchema;
let servers: ServerProcess[] = [];

async function fullstop(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BINARY, ...args], {
      env: { PATH: process.env.PATH, HOME: dir, FULLSTOP_CONFIG_DIR: join(dir, 'cli'), NO_COLOR: '1', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Every violation of a store, identified as the dedup key identifies it. */
async function violationKeys(url: string): Promise<string[]> {
  const store = await openStore(url);
  try {
    const page = await store.listViolations({}, { page: 0, size: 2000, sort: [{ property: 'id', direction: 'ASC' }] });
    return page.content.map((v) => `${v.account_id}|${v.region}|${v.event_id}|${v.violation_type.id}`).sort();
  } finally {
    await store.close();
  }
}

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('fullstop ingest, server and CLI on PostgreSQL'), () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fullstop-pg-e2e-'));
    schema = testSchema();
    await run(process.execPath, [
      GENERATOR,
      '--out',
      join(dir, 'logs'),
      '--records',
      '4000',
      '--per-file',
      '20',
      '--seed',
      '11',
      '--quiet',
    ]);
    writeFileSync(
      join(dir, 'server.yaml'),
      `auth:\n  tokens:\n    - { token: ${TOKEN}, uid: admin, accounts: "*", teams: [stups] }\n`,
    );
  }, 60_000);
  afterAll(async () => {
    const codes = await Promise.all(servers.map((server) => server.stop()));
    await schema?.drop();
    rmSync(dir, { recursive: true, force: true });
    expect(codes.every((code) => code === 0)).toBe(true);
  });

  it('ingests into PostgreSQL exactly what it ingests into SQLite, and each file once', async () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'logs', '.manifest.json'), 'utf8'));
    const logs = join(dir, 'logs');
    const first = await fullstop(['ingest', logs, '--db', schema.url, '--workers', '2', '-o', 'json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      files_ingested: manifest.files,
      violations_new: manifest.violationsTotal,
    });
    const again = await fullstop(['ingest', logs, '-o', 'json'], { FULLSTOP_DB: schema.url });
    expect(JSON.parse(again.stdout)).toMatchObject({ files_already_ingested: manifest.files, violations_new: 0 });
    const sqlite = `sqlite:${join(dir, 'same.db')}`;
    expect((await fullstop(['ingest', logs, '--db', sqlite, '--workers', '0'])).code).toBe(0);
    expect(await violationKeys(schema.url)).toEqual(await violationKeys(sqlite));
  }, 60_000);

  it('serves two replicas on one database: listed through one, resolved through the other', async () => {
    writeFileSync(join(dir, 'replica.yaml'), `${readFileSync(join(dir, 'server.yaml'), 'utf8')}db: "${schema.url}"\n`);
    servers = await Promise.all([
      startServerProcess(['--db', schema.url, '--config', join(dir, 'server.yaml')]),
      startServerProcess(['--config', join(dir, 'replica.yaml')]),
      startServerProcess(['--config', join(dir, 'server.yaml')], { FULLSTOP_DB: schema.url }),
    ]);
    const [one, two, three] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const cli = (server: ServerProcess, args: string[]) =>
      fullstop(args, { FULLSTOP_URL: server.url, FULLSTOP_TOKEN: TOKEN });
    const list = async (server: ServerProcess, args: string[] = []) => {
      const result = await cli(server, ['list-violations', '-l', '5000', '--since', '3650d', '-o', 'json', ...args]);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Violation[];
    };
    const before = await list(one);
    expect(before.length).toBeGreaterThan(10);
    expect(await list(two)).toEqual(before);
    const [target, other] = before as [Violation, Violation];
    const resolved = await cli(two, ['resolve-violations', '-i', `${target.id},${other.id}`, 'fixed on two']);
    expect(resolved.code, resolved.stderr).toBe(0);
    const after = await list(one);
    expect(after.map((v) => v.id)).toEqual(before.map((v) => v.id).filter((id) => id !== target.id && id !== other.id));
    const all = await list(three, ['--all']);
    expect(all.find((v) => v.id === target.id)).toMatchObject({ comment: 'fixed on two' });
    expect((await cli(one, ['types', '-o', 'json'])).code).toBe(0);
  }, 60_000);
});
