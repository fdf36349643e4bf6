import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { startContinuousIngest } from '../../src/server/ingest/continuous.js';
import { createLocalSource } from '../../src/server/ingest/local.js';
import { countByType, memoryStore, tempDir } from './helpers.js';

const stopLogging = (id: string) => ({
  eventID: id,
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'eu-west-1',
  recipientAccountId: '123456789012',
  requestParameters: { name: 'main' },
});
const logFile = (dir: string, name: string, id: string) =>
  writeFileSync(join(dir, name), gzipSync(JSON.stringify({ Records: [stopLogging(id)] })));

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('continuous ingest', () => {
  it('picks up files that appear in a polled folder, logs failures and stops on abort', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = await memoryStore();
    cleanups.push(() => store.close());
    const logged: string[] = [];
    const logger = {
      info: (_: object, m: string) => logged.push(m),
      warn: (_: object, m: string) => logged.push(m),
      error: (_: object, m: string) => logged.push(m),
    };
    const controller = new AbortController();
    logFile(dir.path, 'a.json.gz', 'e-1');
    const running = startContinuousIngest({
      store,
      sources: [createLocalSource(dir.path)],
      logger,
      signal: controller.signal,
      pollIntervalMs: 50,
      workers: 0,
    });

    expect(
      await eventually(
        () => countByType(store),
        (c) => c['CLOUDTRAIL_TAMPERING'] === 1,
      ),
    ).toEqual({ CLOUDTRAIL_TAMPERING: 1 });
    logFile(dir.path, 'b.json.gz', 'e-2');
    writeFileSync(join(dir.path, 'c.json'), '{ not json');
    expect(
      await eventually(
        () => countByType(store),
        (c) => c['CLOUDTRAIL_TAMPERING'] === 2,
      ),
    ).toEqual({ CLOUDTRAIL_TAMPERING: 2 });
    await eventually(
      async () => store.listIngestFailures(),
      (f) => f.length === 1,
    );
    expect((await store.listIngestFailures()).map((f) => f.key)).toEqual(['c.json']);
    expect(logged).toContain('file not ingested');

    controller.abort();
    await running.done;
  });
});

describe('fullstop server --ingest', () => {
  it('serves violations from files dropped into the watched folder', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const logs = join(dir.path, 'logs');
    mkdirSync(logs);
    const config = join(dir.path, 'server.yaml');
    writeFileSync(config, 'ingest:\n  poll_interval_seconds: 1\n');
    const server: ChildProcess = spawn(
      process.execPath,
      [
        join(import.meta.dirname, '../../dist/bin/fullstop.js'),
        'server',
        '--no-auth',
        '--port',
        '0',
        '--db',
        `sqlite:${join(dir.path, 'db.sqlite')}`,
        '--config',
        config,
        '--ingest',
        logs,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FULLSTOP_LOG_LEVEL: 'info' } },
    );
    cleanups.push(
      () =>
        new Promise<void>((resolve) =>
          server.exitCode !== null ? resolve() : (server.on('exit', () => resolve()), server.kill('SIGTERM')),
        ),
    );
    const url = await new Promise<string>((resolve, reject) => {
      server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
      createInterface({ input: server.stdout! }).on('line', (line) => {
        const match = /"url":"(http:[^"]+)"/.exec(line);
        if (match) resolve(match[1]!);
      });
    });
    logFile(logs, 'x.json.gz', 'e-9');
    const body = await eventually(
      async () =>
        (await (await fetch(`${url}/api/violations?accounts=123456789012`)).json()) as {
          content: Array<{ event_id: string; violation_type: { id: string } }>;
        },
      (page) => page.content.length > 0,
    );
    expect(body.content.map((v) => [v.event_id, v.violation_type.id])).toEqual([['e-9', 'CLOUDTRAIL_TAMPERING']]);
  }, 30_000);
});
