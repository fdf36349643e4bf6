import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { logOutcome, startContinuousIngest, type IngestLogger } from '../../src/server/ingest/continuous.js';
import { createLocalSource } from '../../src/server/ingest/local.js';
import type { ListingSource, SourceObject } from '../../src/server/ingest/source.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { MAX_FAILURES_KEPT } from '../../src/server/ingest/ingest-types.js';
import { countByType, ingestPath, memoryStore, tempDir } from './helpers.js';

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

/** A logger that keeps the messages, and fails the test on a rule error (a bug, never expected). */
function recordingLogger(): IngestLogger & { messages: Array<{ message: string; details: object }> } {
  const messages: Array<{ message: string; details: object }> = [];
  const keep = (details: object, message: string) => {
    expect(message).not.toBe('rule error');
    messages.push({ message, details });
  };
  return { messages, info: keep, warn: keep, error: keep };
}

/** A local source that counts how often each key was listed and read, and can fail reads of chosen keys. */
function countingSource(dir: string, unreadable = new Map<string, number>()) {
  const local = createLocalSource(dir);
  const listed = new Map<string, number>();
  const read = new Map<string, number>();
  let passes = 0;
  const bump = (counts: Map<string, number>, key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const watched = (object: SourceObject): SourceObject => ({
    ...object,
    path: undefined,
    read: async () => {
      bump(read, object.key);
      const failures = unreadable.get(object.key) ?? 0;
      if (failures > 0) {
        unreadable.set(object.key, failures - 1);
        throw Object.assign(new Error(`permission denied, open '${object.key}'`), { code: 'EACCES' });
      }
      return object.read!();
    },
  });
  const source: ListingSource = {
    ...local,
    async *list(filter, signal, incremental) {
      passes += 1;
      for await (const object of local.list(filter, signal, incremental)) {
        bump(listed, object.key);
        yield watched(object);
      }
    },
  };
  return { source, listed, read, passes: () => passes };
}

function runContinuously(store: ViolationStore, source: ListingSource, logger: IngestLogger) {
  const controller = new AbortController();
  const running = startContinuousIngest({
    store,
    sources: [source],
    logger,
    signal: controller.signal,
    pollIntervalMs: 20,
    workers: 0,
  });
  return async () => {
    controller.abort();
    await running.done;
  };
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

describe('continuous ingest of files that fail', () => {
  it('reads a file that is not CloudTrail once, again only when it changes, and not after a restart', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = await memoryStore();
    cleanups.push(() => store.close());
    logFile(dir.path, 'a.json.gz', 'e-1');
    writeFileSync(join(dir.path, 'bad.json'), '{ not json');
    const logger = recordingLogger();
    const first = countingSource(dir.path);
    const stop = runContinuously(store, first.source, logger);
    await eventually(
      async () => first.passes(),
      (n) => n >= 6,
    );
    const notIngested = () => logger.messages.filter((m) => m.message === 'file not ingested').length;
    expect(first.listed.get('bad.json')).toBeGreaterThanOrEqual(5);
    expect(first.read.get('bad.json')).toBe(1);
    expect(notIngested()).toBe(1);
    expect(await countByType(store)).toEqual({ CLOUDTRAIL_TAMPERING: 1 });

    writeFileSync(join(dir.path, 'bad.json'), '{ still not json, but another size');
    await eventually(
      async () => first.read.get('bad.json'),
      (n) => n === 2,
    );
    const passes = first.passes();
    await eventually(
      async () => first.passes(),
      (n) => n >= passes + 4,
    );
    expect(first.read.get('bad.json')).toBe(2);
    expect(notIngested()).toBe(2);
    await stop();

    // A restart remembers it: the store keeps the failed fingerprint.
    const second = countingSource(dir.path);
    const stopAgain = runContinuously(store, second.source, logger);
    await eventually(
      async () => second.passes(),
      (n) => n >= 4,
    );
    await stopAgain();
    expect(second.listed.get('bad.json')).toBeGreaterThanOrEqual(3);
    expect(second.read.get('bad.json')).toBeUndefined();
    expect(notIngested()).toBe(2);
    expect((await store.listIngestFailures()).map((f) => f.key)).toEqual(['bad.json']);
  });

  it('keeps the newest failures in its summary and counts them all', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = await memoryStore();
    cleanups.push(() => store.close());
    const names = Array.from({ length: MAX_FAILURES_KEPT + 50 }, (_, i) => `bad-${String(i).padStart(3, '0')}.json`);
    for (const name of names) writeFileSync(join(dir.path, name), 'nope');
    const summary = await ingestPath(store, dir.path);
    expect(summary.filesFailed).toBe(names.length);
    expect(summary.failures.map((f) => f.key)).toEqual(names.slice(-MAX_FAILURES_KEPT));
  });

  it('tries a file that could not be fetched again at the next poll', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = await memoryStore();
    cleanups.push(() => store.close());
    logFile(dir.path, 'locked.json.gz', 'e-1');
    const logger = recordingLogger();
    const counting = countingSource(dir.path, new Map([['locked.json.gz', 2]]));
    const stop = runContinuously(store, counting.source, logger);
    await eventually(
      () => countByType(store),
      (c) => c['CLOUDTRAIL_TAMPERING'] === 1,
    );
    await stop();
    expect(counting.read.get('locked.json.gz')).toBe(3);
    expect(await countByType(store)).toEqual({ CLOUDTRAIL_TAMPERING: 1 });
    expect(await store.listIngestFailures()).toEqual([]);
  });
});

describe('the continuous ingest log', () => {
  it('names the rule and the event of a rule error, as an error', () => {
    const errors: Array<[object, string]> = [];
    const logger = { info: () => {}, warn: () => {}, error: (d: object, m: string) => void errors.push([d, m]) };
    const samples = [{ rule: 'BROKEN_RULE', eventId: 'e-1', message: 'boom' }];
    logOutcome(logger, {
      source: 'file:///logs',
      key: 'a.json',
      status: 'ingested',
      ruleErrors: { count: 3, samples },
    });
    logOutcome(logger, { source: 'file:///logs', key: 'b.json', status: 'ingested' });
    expect(errors).toEqual([[{ source: 'file:///logs', key: 'a.json', count: 3, errors: samples }, 'rule error']]);
  });
});

describe('fullstop server --ingest', () => {
  it('serves violations from files dropped into the watched folder', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const logs = join(dir.path, 'logs');
    mkdirSync(logs);
    const config = join(dir.path, 'server.yaml');
    writeFileSync(config, 'ingest:\n  poll_interval_seconds: 1\n  full_listing_interval_seconds: 3600\n');
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
