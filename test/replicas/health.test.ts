/**
 * `GET /health` of a `fullstop server --ingest` process (the built binary, SQLite): the store's status, the claims
 * this server holds, and each source's work in the current or last poll, until nothing is pending.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../e2e/server-process.js';

const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');

let dir: string;
let server: ServerProcess | undefined;

function countFiles(path: string): number {
  return readdirSync(path, { withFileTypes: true }).reduce(
    (n, entry) => n + (entry.isDirectory() ? countFiles(join(path, entry.name)) : entry.name.startsWith('.') ? 0 : 1),
    0,
  );
}

describe('/health of an ingesting server', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fullstop-health-'));
    await promisify(execFile)(process.execPath, [
      GENERATOR,
      ...['--out', join(dir, 'logs'), '--records', '600', '--per-file', '50', '--seed', '3', '--quiet'],
    ]);
    writeFileSync(join(dir, 'logs', 'not-cloudtrail.json'), '{"hello": "world"}');
    writeFileSync(join(dir, 'server.yaml'), 'ingest:\n  poll_interval_seconds: 1\n');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the store UP, no claims left, and every listed file committed or failed', async () => {
    const logs = join(dir, 'logs');
    const files = countFiles(logs);
    server = await startServerProcess([
      ...['--no-auth', '--db', `sqlite:${join(dir, 'fullstop.db')}`, '--config', join(dir, 'server.yaml')],
      ...['--ingest', logs],
    ]);
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${server.url}/health`);
      expect(res.status).toBe(200);
      body = (await res.json()) as Record<string, unknown>;
      const source = (body as { ingest?: { sources: Array<{ committed: number; done_before: number }> } }).ingest
        ?.sources[0];
      // The first poll commits them all; later polls find them done.
      if (source !== undefined && source.done_before === files) break;
      await sleep(100);
    }
    expect(body).toEqual({
      status: 'UP',
      store: { status: 'UP' },
      pending_evaluations: { count: 0, oldest_age_seconds: null },
      ingest: {
        claims: { owner: expect.stringMatching(/^[^/]+\/\d+\/[0-9a-f]{8}$/), held: 0, lease_seconds: null },
        sources: [
          {
            source: pathToFileURL(logs).href,
            state: expect.stringMatching(/^(listing|waiting)$/),
            listed: files,
            committed: 0,
            failed: 0,
            done_before: files,
            claimed_elsewhere: 0,
            pending: 0,
          },
        ],
      },
    });
  });
});
