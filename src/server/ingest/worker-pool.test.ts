import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WorkerPool, type WorkerJob } from './worker-pool.js';

// Stand-in worker scripts: the pool's contract is the message protocol, not the parser behind it.
const ECHO = `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (job) => setTimeout(() => {
  if (job.path === 'bad') parentPort.postMessage({ id: job.id, ok: false, reason: 'nope', format: true });
  else if (job.path === 'gone') parentPort.postMessage({ id: job.id, ok: false, reason: 'ENOENT: gone', format: false, code: 'ENOENT' });
  else parentPort.postMessage({ id: job.id, ok: true, result: { records: job.path.length, badRecords: 0, drafts: [] } });
}, 5));`;
const CRASH = `import { parentPort } from 'node:worker_threads';
parentPort.on('message', () => process.exit(3));`;

const dirs: string[] = [];
function script(source: string): URL {
  const dir = mkdtempSync(join(tmpdir(), 'fullstop-pool-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'worker.mjs'), source);
  return pathToFileURL(join(dir, 'worker.mjs'));
}
const job = (path: string) => (id: number) => ({ job: { id, path } satisfies WorkerJob, transfer: [] });

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('WorkerPool', () => {
  it('maps replies from several threads back to their jobs, with format and read errors', async () => {
    const pool = new WorkerPool(script(ECHO), 2, undefined);
    try {
      const results = await Promise.all(['a', 'bb', 'ccc', 'dddd', 'eeeee'].map((path) => pool.run(job(path))));
      expect(results.map((r) => r?.records)).toEqual([1, 2, 3, 4, 5]);
      await expect(pool.run(job('bad'))).rejects.toMatchObject({ name: 'CloudTrailFormatError', message: 'nope' });
      await expect(pool.run(job('gone'))).rejects.toMatchObject({ name: 'Error', code: 'ENOENT' });
    } finally {
      await pool.close();
    }
  });

  it('fails the jobs of a crashed thread and reports when no thread is left', async () => {
    const pool = new WorkerPool(script(CRASH), 1, undefined);
    try {
      await expect(pool.run(job('a'))).rejects.toThrow(/exited \(code 3\)/);
      expect(pool.run(job('b'))).toBeUndefined();
    } finally {
      await pool.close();
    }
  });
});
