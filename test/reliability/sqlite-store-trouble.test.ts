/**
 * SQLite store trouble, with the built binaries: another process holding the database's write lock for longer
 * than busy_timeout (5 s), and the disk filling up (a tmpfs of a few MB), each during `fullstop ingest` and during
 * `fullstop server --ingest`. Each time the trouble is reported (stderr and summary, or the server's log), no file
 * is half-written (the database holds exactly the violations of the files it recorded as processed), and once the
 * store is back a re-run or the next poll ingests what was missed: the violations equal those of an undisturbed run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../e2e/server-process.js';
import { runMeasured } from './measure.js';
import {
  copyLogs,
  generateLogs,
  halfWritten,
  holdLock,
  logged,
  readStore,
  smallDisk,
  fullDiskSkipReason,
  tempDir,
  until,
  watchHealth,
  type LogFile,
  type StoreContent,
} from './store-trouble-helpers.js';

const dir = tempDir('fullstop-store-trouble-');
const generated = join(dir, 'generated');
let files: LogFile[];
let first: LogFile[];
let second: LogFile[];
let reference: StoreContent;

const ingest = (logs: string, db: string) => runMeasured(['ingest', logs, '--db', `sqlite:${db}`, '-o', 'json']);

beforeAll(async () => {
  files = await generateLogs(generated, 6000);
  first = files.slice(0, files.length / 2);
  second = files.slice(files.length / 2);
  const db = join(dir, 'reference.db');
  expect((await ingest(generated, db)).code).toBe(0);
  reference = readStore(db);
  console.log(`store trouble: ${files.length} files, ${reference.violations.size} violations undisturbed`);
}, 60_000);
afterAll(async () => {
  const { rmSync } = await import('node:fs');
  rmSync(dir, { recursive: true, force: true });
});

/** Answers /health while `busy()` holds, each time 200, and returns the slowest answer in ms. */
async function slowestHealth(url: string, busy: () => boolean): Promise<number> {
  const samples = await watchHealth(url, busy);
  expect(samples.map((sample) => sample.status).filter((status) => status !== 200)).toEqual([]);
  return Math.max(0, ...samples.map((sample) => sample.ms));
}

/** The file is sound, holds `processed` (and `count` files in all), and no file is half-written. */
function expectIntact(content: StoreContent, processed: LogFile[], count = processed.length): void {
  expect(content.integrity).toBe('ok');
  for (const file of processed) expect(content.processedKeys).toContain(file.key);
  expect(content.processedKeys.size).toBe(count);
  expect(halfWritten(content, reference, files)).toEqual([]);
}

const LOCKED = 'the database is locked: another connection held its write lock for more than 5 s (SQLITE_BUSY)';
const FULL = /the disk holding the database is full \(SQLITE_FULL/;
const STORE_FAILED = 'ingest pass failed: could not write to the database';

describe('fullstop ingest when the store is in trouble', () => {
  it('reports a write lock held beyond busy_timeout, keeps no half-written file, and a re-run completes', async () => {
    const logs = join(dir, 'lock-ingest');
    const db = join(dir, 'lock-ingest.db');
    copyLogs(generated, first, logs);
    expect((await ingest(logs, db)).code).toBe(0);
    copyLogs(generated, second, logs);
    const lock = await holdLock(db);
    let locked;
    let during;
    try {
      locked = await ingest(logs, db);
      during = readStore(db);
    } finally {
      await lock.release();
    }
    console.log(`store trouble, ingest while locked: exit ${locked.code} after ${locked.wallSeconds.toFixed(1)} s`);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain(`error: could not write to the database: ${LOCKED}`);
    expect(locked.stderr).toContain('hint: the files not committed left nothing behind; run the same command again');
    expect(JSON.parse(locked.stdout)).toMatchObject({ files: files.length, files_already_ingested: first.length });
    expect(locked.wallSeconds).toBeGreaterThanOrEqual(5);
    expectIntact(during, first);

    const rerun = await ingest(logs, db);
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ files_ingested: second.length, files_failed: 0 });
    expect(readStore(db).violations).toEqual(reference.violations);
  }, 60_000);

  it.skipIf(fullDiskSkipReason !== undefined)(
    `reports a full disk, keeps no half-written file, and a re-run completes once there is room${fullDiskSkipReason ? ` (${fullDiskSkipReason})` : ''}`,
    async () => {
      const disk = await smallDisk(4 * 1024 * 1024);
      try {
        const logs = join(dir, 'full-ingest');
        const db = join(disk.path, 'fullstop.db');
        copyLogs(generated, first, logs);
        expect((await ingest(logs, db)).code).toBe(0);
        copyLogs(generated, second, logs);
        disk.fill(64 * 1024);
        const full = await ingest(logs, db);
        console.log(`store trouble, ingest on a full disk: exit ${full.code}; ${full.stderr.split('\n')[0]}`);
        expect(full.code).toBe(1);
        expect(full.stderr).toMatch(FULL);
        const summary = JSON.parse(full.stdout) as { files_ingested: number };
        expectIntact(readStore(db), first, first.length + summary.files_ingested);
        disk.free();
        expect((await ingest(logs, db)).code).toBe(0);
        const after = readStore(db);
        expect(after.integrity).toBe('ok');
        expect(after.violations).toEqual(reference.violations);
      } finally {
        await disk.close();
      }
    },
    60_000,
  );
});

describe('fullstop server --ingest when the store is in trouble', () => {
  const config = join(dir, 'server.yaml');
  beforeAll(() => writeFileSync(config, 'ingest:\n  poll_interval_seconds: 1\n'));

  async function serve(db: string, logs: string) {
    const server = await startServerProcess([
      '--no-auth',
      '--db',
      `sqlite:${db}`,
      '--ingest',
      logs,
      '--config',
      config,
    ]);
    await until('the first files', () => readStore(db).processedKeys.size === first.length);
    return server;
  }

  it('logs a write lock held beyond busy_timeout, keeps answering, and the next poll ingests what was missed', async () => {
    const logs = join(dir, 'lock-server');
    const db = join(dir, 'lock-server.db');
    copyLogs(generated, first, logs);
    const server = await serve(db, logs);
    try {
      const lock = await holdLock(db);
      let slowest;
      try {
        copyLogs(generated, second, logs);
        slowest = await slowestHealth(server.url, () => logged(server, STORE_FAILED).length === 0);
        expect((await fetch(`${server.url}/api/violations?size=1`)).status).toBe(200);
        expectIntact(readStore(db), first);
      } finally {
        await lock.release();
      }
      console.log(`store trouble, server while locked: slowest /health ${slowest.toFixed(0)} ms`);
      expect(slowest).toBeLessThan(1000);
      expect(logged(server, STORE_FAILED)[0]).toMatchObject({ level: 50, trouble: 'locked', reason: LOCKED });
      await until('the missed files', () => readStore(db).processedKeys.size === files.length);
      expect(readStore(db).violations).toEqual(reference.violations);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);

  it.skipIf(fullDiskSkipReason !== undefined)(
    `logs a full disk, keeps answering reads, and the next poll ingests what was missed once there is room${fullDiskSkipReason ? ` (${fullDiskSkipReason})` : ''}`,
    async () => {
      const disk = await smallDisk(4 * 1024 * 1024);
      try {
        const logs = join(dir, 'full-server');
        const db = join(disk.path, 'fullstop.db');
        copyLogs(generated, first, logs);
        const server = await serve(db, logs);
        try {
          disk.fill(64 * 1024);
          copyLogs(generated, second, logs);
          const slowest = await slowestHealth(server.url, () => logged(server, STORE_FAILED).length === 0);
          expect((await fetch(`${server.url}/api/violations?size=1`)).status).toBe(200);
          const resolution = await fetch(`${server.url}/api/violations/1/resolution`, { method: 'POST', body: 'x' });
          console.log(
            `store trouble, server on a full disk: slowest /health ${slowest.toFixed(0)} ms; ` +
              `a resolution answers ${resolution.status}`,
          );
          expect(logged(server, STORE_FAILED)[0]).toMatchObject({
            trouble: 'disk-full',
            reason: expect.stringMatching(FULL),
          });
          expectIntact(readStore(db), first);
          disk.free();
          await until('the missed files', () => readStore(db).processedKeys.size === files.length);
          expect(readStore(db).violations).toEqual(reference.violations);
        } finally {
          expect(await server.stop()).toBe(0);
        }
      } finally {
        await disk.close();
      }
    },
    60_000,
  );
});
