/**
 * `fullstop ingest` as a user runs it: the built binary, a real SQLite file, generated delivery files.
 * Needs `npm run build` first (`npm test` does it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { openStore } from '../../src/server/store/open-store.js';
import { fullstopBinary, tempDir } from './helpers.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../dist/bin/fullstop.js');
const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');

const fullstop = (args: string[]) => fullstopBinary(args);

async function violationKeys(db: string): Promise<string[]> {
  const store = await openStore(`sqlite:${db}`);
  try {
    const page = await store.listViolations(
      {},
      { page: 0, size: 100_000, sort: [{ property: 'id', direction: 'ASC' }] },
    );
    return page.content
      .map((v) => `${v.account_id}|${v.region}|${v.event_id}|${v.violation_type.id}|${v.instance_id}`)
      .sort();
  } finally {
    await store.close();
  }
}

const dir = tempDir();
const logs = join(dir.path, 'logs');
let manifest: { files: number; records: number; violationsTotal: number; violations: Record<string, number> };

beforeAll(async () => {
  await run(process.execPath, [
    GENERATOR,
    '--out',
    logs,
    '--records',
    '30000',
    '--per-file',
    '20',
    '--seed',
    '7',
    '--quiet',
  ]);
  manifest = JSON.parse(readFileSync(join(logs, '.manifest.json'), 'utf8'));
}, 60_000);
afterAll(() => dir.cleanup());

describe('fullstop ingest', () => {
  it('ingests generated logs with worker threads and finds exactly the planted violations', async () => {
    const db = join(dir.path, 'workers.db');
    const result = await fullstop(['ingest', logs, '--db', `sqlite:${db}`, '--workers', '2', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      files: manifest.files,
      files_ingested: manifest.files,
      files_failed: 0,
      records: manifest.records,
      violations_new: manifest.violationsTotal,
      rule_errors: 0,
      failures: [],
    });
    const again = await fullstop(['ingest', logs, '--db', `sqlite:${db}`]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `files       ${manifest.files} (0 ingested, ${manifest.files} already ingested, 0 failed)`,
    );
    expect(again.stdout).toContain('violations  0 new');
    expect(again.stdout).toContain(`records     0 (0 bad records skipped, 0 rule errors)`);
  });

  it.each([0, 2])('skips unreadable files, records why, ingests the rest and exits 1 (%i workers)', async (workers) => {
    const mixed = join(dir.path, `mixed-${workers}`);
    mkdirSync(mixed);
    writeFileSync(
      join(mixed, 'a-good.json'),
      JSON.stringify({
        Records: [
          {
            eventID: 'e1',
            eventSource: 'cloudtrail.amazonaws.com',
            eventName: 'StopLogging',
            awsRegion: 'eu-west-1',
            recipientAccountId: '123456789012',
            requestParameters: { name: 't' },
          },
        ],
      }),
    );
    writeFileSync(join(mixed, 'b-truncated.json.gz'), gzipSync(JSON.stringify({ Records: [] })).subarray(0, 12));
    writeFileSync(
      join(mixed, 'c-plain-named-gz.json.gz'),
      JSON.stringify([
        {
          eventID: 'e2',
          eventSource: 'cloudtrail.amazonaws.com',
          eventName: 'DeleteTrail',
          awsRegion: 'eu-west-1',
          recipientAccountId: '123456789012',
          requestParameters: { name: 't' },
        },
      ]),
    );
    writeFileSync(join(mixed, 'd-not-json.json'), 'hello');
    const db = join(dir.path, `mixed-${workers}.db`);
    const result = await fullstop(['ingest', mixed, '--db', `sqlite:${db}`, '--workers', String(workers)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('files       4 (2 ingested, 0 already ingested, 2 failed)');
    expect(result.stdout).toContain('violations  2 new');
    expect(result.stderr).toMatch(/failed: file:\/\/\S+ b-truncated\.json\.gz: corrupt or truncated gzip: /);
    expect(result.stderr).toMatch(/failed: file:\/\/\S+ d-not-json\.json: invalid JSON: /);
    const store = await openStore(`sqlite:${db}`);
    const failures = await store.listIngestFailures();
    await store.close();
    expect(failures.map((f) => f.key).sort()).toEqual(['b-truncated.json.gz', 'd-not-json.json']);
  });

  it('lets worker threads read local files themselves, reporting a file that vanished as a read error', async () => {
    const built = (await import(
      join(import.meta.dirname, '../../dist/src/server/ingest/processor.js')
    )) as typeof import('../../src/server/ingest/processor.js');
    const processor = built.createPooledProcessor(undefined, 1);
    const file = join(dir.path, 'one.json');
    writeFileSync(
      file,
      JSON.stringify({
        Records: [
          {
            eventID: 'e1',
            eventSource: 'cloudtrail.amazonaws.com',
            eventName: 'StopLogging',
            awsRegion: 'eu-west-1',
            recipientAccountId: '123456789012',
          },
        ],
      }),
    );
    const unreadable = () => Promise.reject(new Error('the worker must read the path itself'));
    const object = (path: string) => ({
      key: 'k',
      fingerprint: 'f',
      size: 200,
      path,
      open: unreadable,
      read: unreadable,
    });
    try {
      expect(await processor.process(object(file))).toMatchObject({
        records: 1,
        badRecords: 0,
        drafts: [{ type: 'CLOUDTRAIL_TAMPERING' }],
      });
      const error = await processor.process(object(join(dir.path, 'vanished.json'))).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ENOENT', message: expect.stringContaining('no such file or directory') });
      // A read error, not a format error: a queue message naming it is left for redelivery.
      expect((error as Error).name).toBe('Error');
    } finally {
      await processor.close();
    }
  });

  it('rejects bad usage with exit 2 and a precise message', async () => {
    expect((await fullstop(['ingest'])).code).toBe(2);
    const missing = await fullstop(['ingest', join(dir.path, 'nope'), '--db', 'sqlite::memory:']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or folder');
    const accounts = await fullstop(['ingest', logs, '--accounts', '12', '--db', 'sqlite::memory:']);
    expect(accounts.code).toBe(2);
    expect(accounts.stderr).toContain('not a 12-digit AWS account id: 12');
    const db = await fullstop(['ingest', logs, '--db', 'mysql://x']);
    expect(db.code).toBe(2);
    expect(db.stderr).toContain("unsupported database URL 'mysql://x'");
  });

  it('ends with the violations of an uninterrupted run when killed mid-run and restarted', async () => {
    const clean = join(dir.path, 'clean.db');
    expect((await fullstop(['ingest', logs, '--db', `sqlite:${clean}`, '--workers', '0'])).code).toBe(0);

    const killed = join(dir.path, 'killed.db');
    const child = spawn(process.execPath, [BIN, 'ingest', logs, '--db', `sqlite:${killed}`, '--workers', '0'], {
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    let committed = 0;
    for (let i = 0; i < 500 && committed < 20; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        const db = new Database(killed, { readonly: true, fileMustExist: true });
        committed = (db.prepare('SELECT count(*) AS n FROM processed_file').get() as { n: number }).n;
        db.close();
      } catch {
        // not created or not migrated yet
      }
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const restarted = await fullstop(['ingest', logs, '--db', `sqlite:${killed}`, '-o', 'json']);
    expect(restarted.code).toBe(0);
    const summary = JSON.parse(restarted.stdout) as { files_already_ingested: number; files_ingested: number };
    // It really was interrupted: part of the files were committed before the kill, the rest only now.
    expect(summary.files_already_ingested).toBeGreaterThanOrEqual(20);
    expect(summary.files_ingested).toBeGreaterThan(0);
    expect(await violationKeys(killed)).toEqual(await violationKeys(clean));
  }, 60_000);
});
