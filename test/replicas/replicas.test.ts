/**
 * Three `fullstop server --ingest s3://…` replicas (real processes, the built binary) on one fresh PostgreSQL
 * schema share a generated bucket served by s3rver. One is killed with SIGKILL mid-way, holding claims; the others
 * take its files over as soon as its database sessions are gone (postgres-liveness.ts). The end state must be that
 * of a single-node run of the same bucket, row for row, with every file committed once and read once (twice at
 * most for the files the dead replica held).
 * Needs `npm run build` first (`npm test` does it).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runIngest } from '../../src/server/ingest/run.js';
import { startServerProcess, type ServerProcess } from '../e2e/server-process.js';
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../helpers/s3-server.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from '../store/pg.js';

const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');
const BUCKET = 'trail';
const LEASE_SECONDS = 3;

/** The violation columns that mean something to a user: all but ids and write times, which differ per run. */
const VIOLATION = `event_id, account_id, region, instance_id, meta_info, comment, plugin_fully_qualified_class_name,
  violation_type_entity_id, created_by, last_modified_by, username, rule_entity_id, application_id,
  application_version_id`;

let dir: string;
let s3: TestS3Server;
let keys: string[];
let replicated: TestSchema;
let single: TestSchema;
const servers: ServerProcess[] = [];

function walk(path: string): string[] {
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(path, entry.name)) : entry.name.startsWith('.') ? [] : [join(path, entry.name)],
  );
}

interface Health {
  ingest: { claims: { owner: string; held: number }; sources: Array<{ committed: number }> };
}
const health = async (server: ServerProcess) => (await (await fetch(`${server.url}/health`)).json()) as Health;
const count = async (schema: TestSchema, table: string) =>
  Number((await schema.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
const rows = async (schema: TestSchema, sql: string) =>
  (await schema.query(sql)).rows.map((row) => JSON.stringify(row));

async function until(what: string, ms: number, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('three server replicas on one PostgreSQL'), () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fullstop-replicas-'));
    await promisify(execFile)(process.execPath, [
      GENERATOR,
      ...['--out', join(dir, 'logs'), '--records', '24000', '--per-file', '40', '--seed', '23', '--quiet'],
    ]);
    s3 = await startS3Server();
    await s3.createBucket(BUCKET);
    keys = walk(join(dir, 'logs')).map((file) => relative(join(dir, 'logs'), file).split('\\').join('/'));
    for (const key of keys) await s3.put(BUCKET, key, readFileSync(join(dir, 'logs', key)));
    s3.clearLog();
    [replicated, single] = [testSchema(), testSchema()];
    writeFileSync(
      join(dir, 'server.yaml'),
      `db_pool_size: 4\ningest:\n  poll_interval_seconds: 1\n  lease_seconds: ${LEASE_SECONDS}\n`,
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await s3?.close();
    await Promise.all([replicated?.drop(), single?.drop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('process each object once, take over what a killed replica held, and end as one replica would', async () => {
    const env = {
      FULLSTOP_S3_ENDPOINT: s3.endpoint,
      AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    };
    const args = [
      '--no-auth',
      '--db',
      replicated.url,
      '--config',
      join(dir, 'server.yaml'),
      '--ingest',
      `s3://${BUCKET}`,
    ];
    // Migrations first, so that the three start together instead of queueing behind the advisory lock.
    await promisify(execFile)(process.execPath, [
      join(import.meta.dirname, '../../dist/bin/fullstop.js'),
      'migrate',
      '--db',
      replicated.url,
    ]);
    servers.push(...(await Promise.all([1, 2, 3].map(() => startServerProcess(args, env)))));

    await until(
      'a third of the files',
      30_000,
      async () => (await count(replicated, 'processed_file')) >= keys.length / 3,
    );
    const claims = await Promise.all(servers.map(health));
    // The work is shared: more than one replica has committed files or holds claims.
    const working = claims.filter((h) => h.ingest.claims.held > 0 || h.ingest.sources[0]!.committed > 0);
    expect(working.length).toBeGreaterThanOrEqual(2);
    const victim = claims.findIndex((h) => h.ingest.claims.held > 0);
    expect(victim).toBeGreaterThanOrEqual(0);
    const owner = claims[victim]!.ingest.claims.owner;
    const survivors = servers.filter((_, i) => i !== victim);
    // The others wait while the victim dies: its leases are free once its sessions are gone, and they would take
    // them over before the test could see which they were.
    for (const server of survivors) server.child.kill('SIGSTOP');
    let orphaned: string[];
    try {
      servers[victim]!.child.kill('SIGKILL');
      await servers[victim]!.stop();
      orphaned = (
        await replicated.query<{ key: string }>('SELECT key FROM ingest_lease WHERE owner = $1', [owner])
      ).rows.map((row) => row.key);
    } finally {
      for (const server of survivors) server.child.kill('SIGCONT');
    }
    expect(orphaned.length).toBeGreaterThan(0);

    await until('every file committed and no lease left', 40_000, async () => {
      const [files, leases] = [await count(replicated, 'processed_file'), await count(replicated, 'ingest_lease')];
      return files === keys.length && leases === 0;
    });
    for (const server of survivors) expect((await health(server)).ingest.claims.held).toBe(0);

    // Each object read once; a file the dead replica held may have been read by it and again by its heir.
    const reads = new Map<string, number>();
    for (const key of s3.objectReads(BUCKET)) reads.set(key, (reads.get(key) ?? 0) + 1);
    expect([...reads.keys()].sort()).toEqual([...keys].sort());
    const extra = [...reads].filter(([key, n]) => n > 1 && !(n === 2 && orphaned.includes(key)));
    expect(extra).toEqual([]);

    // One node, same bucket, fresh schema: the same violations and the same file records.
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
    const summary = await runIngest({ sources: [`s3://${BUCKET}`], db: single.url, endpointUrl: s3.endpoint });
    expect(summary).toMatchObject({ filesIngested: keys.length, filesFailed: 0, ruleErrors: 0 });
    const violations = `SELECT ${VIOLATION} FROM violation ORDER BY account_id, region, event_id, violation_type_entity_id, instance_id`;
    const files = 'SELECT source, key, fingerprint, records, bad_records FROM processed_file ORDER BY key';
    const expected = await rows(single, violations);
    expect(expected.length).toBeGreaterThan(100);
    expect(await rows(replicated, violations)).toEqual(expected);
    expect(await rows(replicated, files)).toEqual(await rows(single, files));
  }, 90_000);
});
