/**
 * `fullstop ingest` (one pass) beside server replicas on one PostgreSQL: files another replica holds claims on are
 * not read twice. The run waits for them, and ends with every listed file committed: by their holder, or by the
 * run itself once a dead holder's leases expire, or at once when the holder was killed (its sessions went with it).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runIngest } from '../../src/server/ingest/run.js';
import { createLocalSource } from '../../src/server/ingest/local.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { PostgresStore } from '../../src/server/store/postgres.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from '../store/pg.js';
import { runCli } from '../helpers/run-cli.js';

const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');
const CLAIM_HOLDER = join(import.meta.dirname, 'claim-holder.mjs');

let dir: string;
let logs: string;
let files: Array<{ key: string; fingerprint: string }>;
let schema: TestSchema;
let other: ViolationStore;

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('a one-shot ingest beside replicas'), () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fullstop-one-shot-'));
    logs = join(dir, 'logs');
    await promisify(execFile)(process.execPath, [
      GENERATOR,
      ...['--out', logs, '--records', '400', '--per-file', '40', '--seed', '5', '--quiet'],
    ]);
    files = [];
    for await (const object of createLocalSource(logs).list({})) files.push(object);
    expect(files.length).toBeGreaterThan(7);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    schema = testSchema();
    other = await openStore(schema.url, { leaseSeconds: 2 });
  });
  afterEach(async () => {
    await other.close();
    await schema.drop();
  });

  const source = () => createLocalSource(logs).objectSource;

  it("waits for a dead replica's claims to expire, then ingests those files itself", async () => {
    expect((await other.claimObjects(source(), files.slice(0, 3))).claimed.size).toBe(3);
    await (other as PostgresStore).pool.end();
    const started = Date.now();
    const summary = await runIngest({ sources: [logs], db: schema.url, workers: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(summary).toMatchObject({
      files: files.length,
      filesIngested: files.length,
      filesAlreadyIngested: 0,
      filesClaimedElsewhere: 0,
    });
    expect((await schema.query('SELECT count(*)::int AS n FROM processed_file')).rows).toEqual([{ n: files.length }]);
    expect((await schema.query('SELECT count(*)::int AS n FROM ingest_lease')).rows).toEqual([{ n: 0 }]);
  });

  it('does not wait for the leases of a process that was killed holding them (60 s by default)', async () => {
    const holder = spawn(process.execPath, [CLAIM_HOLDER, schema.url, source(), JSON.stringify(files.slice(0, 3))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => holder.on('exit', resolve));
    const line = await new Promise((resolve) => createInterface({ input: holder.stdout }).once('line', resolve));
    expect(line).toBe('claimed 3');
    holder.kill('SIGKILL');
    await exited;
    expect((await schema.query('SELECT count(*)::int AS n FROM ingest_lease')).rows).toEqual([{ n: 3 }]);
    const started = Date.now();
    const summary = await runIngest({ sources: [logs], db: schema.url, workers: 0 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(summary).toMatchObject({ files: files.length, filesIngested: files.length, filesClaimedElsewhere: 0 });
    expect((await schema.query('SELECT count(*)::int AS n FROM ingest_lease')).rows).toEqual([{ n: 0 }]);
  });

  it('leaves the files a live replica holds to it, says that it waits, and counts them once committed', async () => {
    const held = files.slice(4, 7);
    await other.claimObjects(source(), held);
    const run = runCli(['ingest', logs, '--db', schema.url, '--workers', '0', '-o', 'json']);
    await sleep(1500);
    // Its lease (2 s) is renewed meanwhile, so the run cannot take the files over; the holder commits them.
    await other.commitFiles(
      held.map((f) => ({ file: { source: source(), ...f, records: 40, badRecords: 0 }, drafts: [] })),
    );
    const { code, stdout, stderr } = await run;
    expect(code).toBe(0);
    expect(stderr).toBe(
      'waiting for 3 file(s) claimed by another fullstop process (a server reading them, or one that hangs or ' +
        'lost its host: its claims expire within ingest.lease_seconds, 60 s by default)\n',
    );
    expect(JSON.parse(stdout)).toMatchObject({
      files: files.length,
      files_ingested: files.length - 3,
      files_already_ingested: 3,
    });
  });
});
