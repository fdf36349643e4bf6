/**
 * `fullstop ingest` while another process commits to the same SQLite file (the server resolving violations):
 * the ingest waits for the other writer instead of failing with "database is locked" (SQLITE_BUSY_SNAPSHOT,
 * which a transaction that reads first and writes later gets when someone else committed in between).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import { fullstopBinary, tempDir } from './helpers.js';

const run = promisify(execFile);
const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');
const WRITER = join(import.meta.dirname, '../helpers/sqlite-writer.mjs');

const dir = tempDir('fullstop-concurrent-');
const logs = join(dir.path, 'logs');
let manifest: { files: number; records: number; violationsTotal: number };

beforeAll(async () => {
  const args = ['--out', logs, '--records', '12000', '--per-file', '10', '--seed', '5', '--quiet'];
  await run(process.execPath, [GENERATOR, ...args]);
  manifest = JSON.parse(readFileSync(join(logs, '.manifest.json'), 'utf8')) as typeof manifest;
}, 60_000);
afterAll(() => dir.cleanup());

/** Starts the writer on a violation of an account the logs do not have; resolves once it is writing. */
async function startWriter(db: string) {
  const store = await openStore(`sqlite:${db}`);
  await store.insertViolations([
    {
      eventId: 'writer-event',
      accountId: '999999999999',
      region: 'eu-west-1',
      type: 'WRONG_REGION',
      instanceId: null,
      metaInfo: null,
      username: null,
      applicationId: null,
      applicationVersion: null,
      pluginName: null,
    },
  ]);
  const [violation] = (await store.listViolations({}, { page: 0, size: 1, sort: [] })).content;
  await store.close();
  const child = spawn(process.execPath, [WRITER, db, String(violation!.id)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`writer exited with ${code}`)));
    lines.on('line', (line) => (output.push(line), line === 'ready' && resolve()));
  });
  await ready;
  return {
    /** Stops the writer and returns how many commits it made. */
    async stop(): Promise<number> {
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
      return Number(output.at(-1));
    },
  };
}

describe('fullstop ingest beside another writer', () => {
  it.each([0, 2])(
    'commits every file while another process commits in a loop (%i workers)',
    async (workers) => {
      const db = join(dir.path, `shared-${workers}.db`);
      const writer = await startWriter(db);
      let result;
      try {
        result = await fullstopBinary([
          'ingest',
          logs,
          '--db',
          `sqlite:${db}`,
          '--workers',
          String(workers),
          '-o',
          'json',
        ]);
      } finally {
        expect(await writer.stop()).toBeGreaterThan(100);
      }
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toMatchObject({
        files: manifest.files,
        files_ingested: manifest.files,
        files_failed: 0,
        records: manifest.records,
        violations_new: manifest.violationsTotal,
      });
    },
    60_000,
  );

  it('lets several processes open, migrate and fill the same new file at once', async () => {
    const small = join(dir.path, 'small');
    await run(process.execPath, [GENERATOR, '--out', small, '--records', '300', '--per-file', '50', '--quiet']);
    const expected = (JSON.parse(readFileSync(join(small, '.manifest.json'), 'utf8')) as typeof manifest)
      .violationsTotal;
    // Five rounds of four: before the fix about one round in three lost a process to the race.
    for (let round = 0; round < 5; round += 1) {
      const db = join(dir.path, `new-${round}.db`);
      const args = ['ingest', small, '--db', `sqlite:${db}`, '--workers', '0', '-o', 'json'];
      const results = await Promise.all(Array.from({ length: 4 }, () => fullstopBinary(args)));
      expect(results.map((r) => r.stderr)).toEqual(['', '', '', '']);
      const created = results.reduce(
        (sum, r) => sum + (JSON.parse(r.stdout) as { violations_new: number }).violations_new,
        0,
      );
      expect(created).toBe(expected);
    }
  }, 60_000);
});
