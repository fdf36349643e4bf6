/**
 * PostgreSQL restarted while the built `fullstop ingest` and `fullstop server --ingest` (polling a folder every
 * second) commit generated CloudTrail files. The machine's PostgreSQL is shared, so the restart is played by a TCP
 * proxy in front of it (test/helpers/tcp-proxy.ts) as clients see one: while a commit of files is under way, nothing
 * more reaches the server, the backends of the proxied connections (this test's schema only) are terminated with
 * `pg_terminate_backend` (clients get 57P01, as from a fast shutdown), every connection is cut, new ones are refused
 * for a few seconds, then traffic passes again. Variant: the commit's COMMIT reaches the server and its answer is
 * lost with the connection.
 *
 * Each time the trouble is reported (`fullstop ingest`: a precise error and hint, exit 1, the summary of what was
 * committed; the server: `/health` DOWN, API reads and writes 503 JSON with Retry-After, an error in its log), no
 * file is half-written (the schema holds exactly the rows of the files it recorded as processed, each once), and
 * once the database is back a re-run or the next poll ingests the rest: every file processed exactly once, and every
 * table, whole rows but ids and write times (crash-helpers.ts), equal to an undisturbed run's. The API's own answers to an
 * outage are tested in test/store/postgres-outage.test.ts; this is ingest mid-way.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../e2e/server-process.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { PG_SKIP_REASON, PG_URL, pgTitle, testSchema, type TestSchema } from '../store/pg.js';
import { runMeasured } from './measure.js';
import { differences, duplicates, halfWritten, postgresReader, snapshot, type Snapshot } from './crash-helpers.js';
import {
  copyLogs,
  generateLogs,
  logged,
  tempDir,
  until,
  watchHealth,
  type HealthSample,
  type LogFile,
} from './store-trouble-helpers.js';

const dir = tempDir('fullstop-pg-trouble-');
const generated = join(dir, 'generated');
const schemas: TestSchema[] = [];
let proxy: TcpProxy;
let files: LogFile[];
let reference: Snapshot;
/** The file (key) of each event id. */
let fileOf: Map<string, string>;

/** How long the database stays away (refusing connections) after its backends were terminated. */
const DOWN_MS = 3000;
const TOKEN = 'pg-trouble-admin-token';

function schema(): TestSchema {
  const created = testSchema();
  schemas.push(created);
  return created;
}
/** Every table of the schema, as whole rows (crash-helpers.ts: ids and write times left out). */
const read = (s: TestSchema) => snapshot(postgresReader(s));
const processed = (snap: Snapshot) => snap.raw['processed_file']!.length;
const processedCount = async (s: TestSchema) =>
  (await s.query<{ n: number }>('SELECT count(*)::int AS n FROM processed_file')).rows[0]!.n;

const ingest = (logs: string, db: string) => runMeasured(['ingest', logs, '--db', db, '-o', 'json']);

interface Restart {
  /** Resolves once the database is away: backends terminated, connections cut, new ones refused. */
  down: Promise<void>;
  /** Resolves once traffic passes again, with the number of backends terminated. */
  up: Promise<number>;
}

/**
 * Restarts the database as the `commit`-th commit of files (counted from now) is under way: when its first statement
 * has reached the server, or with `answerLost` when its COMMIT has (and the answer never comes back).
 */
function restartDuringCommit(admin: TestSchema, commit: number, answerLost = false): Restart {
  let wentDown!: () => void;
  const down = new Promise<void>((resolve) => (wentDown = resolve));
  const struck = new Promise<void>((resolve) => {
    void proxy.onForwarded(
      'INSERT INTO processed_file',
      () => {
        if (!answerLost) {
          proxy.setMode('hold');
          resolve();
        } else void proxy.onForwarded('COMMIT', () => (proxy.setMode('blackhole'), resolve()));
      },
      commit,
    );
  });
  const up = struck.then(async () => {
    // The COMMIT that reached the server is carried out before its backend is told to go.
    if (answerLost) await delay(200);
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE client_addr = '127.0.0.1' AND client_port = ANY($1::int[])`,
      [proxy.upstreamPorts()],
    );
    await delay(100);
    proxy.setMode('refuse');
    proxy.cutAll();
    wentDown();
    await delay(DOWN_MS);
    proxy.setMode('pass');
    return rows[0]!.n;
  });
  return { down, up };
}

/** The schema holds `count` files, each once, with exactly their rows of the undisturbed run. */
function expectIntact(snap: Snapshot, count: number): void {
  expect(processed(snap)).toBe(count);
  expect(duplicates(snap)).toEqual([]);
  expect(halfWritten(snap, reference, fileOf)).toEqual([]);
}

/**
 * …and, once recovered, every table as the undisturbed run left it, whole rows; `elsewhere` when the files were read
 * from another folder (the processed-file rows name it): then those rows are compared by key.
 */
function expectComplete(snap: Snapshot, elsewhere = false): void {
  expectIntact(snap, files.length);
  const different = differences(snap, reference);
  if (!elsewhere) expect(different).toEqual([]);
  else {
    expect(different.filter((line) => !line.startsWith('processed_file'))).toEqual([]);
    const keys = snap.raw['processed_file']!.map((row) => row['key']).sort();
    expect(keys).toEqual(files.map((file) => file.key));
  }
}

const RESTARTED =
  'the PostgreSQL server ended the connection: terminating connection due to administrator command (57P01: shut down or restarting)';
/**
 * What the restart is reported as: the statement under way ended by the server (57P01), or, when another statement
 * fails first, the connection that the server closed under it or that it would not let be opened.
 */
const RESTART_REASON = new RegExp(
  `^(${escape(RESTARTED)}|(could not connect to )?the PostgreSQL server(: it)? closed the connection \\([^)]+\\))$`,
);
const CLOSED = 'the PostgreSQL server closed the connection (Connection terminated unexpectedly)';
const HINT =
  'hint: no file is half-written (a commit cut off applies whole or not at all); run the same command again once the database is back';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Summary {
  files: number;
  files_ingested: number;
  files_already_ingested: number;
  files_failed: number;
}

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('ingest while PostgreSQL restarts'), () => {
  beforeAll(async () => {
    // 243 files of 50 records: four commits of up to 64 files.
    files = await generateLogs(generated, 12_000, 50);
    const undisturbed = schema();
    const run = await ingest(generated, undisturbed.url);
    expect(run.code).toBe(0);
    reference = await read(undisturbed);
    fileOf = new Map(files.flatMap((file) => file.eventIds.map((id) => [id, file.key] as const)));
    expect(duplicates(reference)).toEqual([]);
    console.log(
      `PostgreSQL restart: ${files.length} files, ${reference.rows['violation']!.length} violations undisturbed ` +
        `(ingest ${run.wallSeconds.toFixed(1)} s)`,
    );
    proxy = await startTcpProxy(Number(new URL(PG_URL!).port || 5432), new URL(PG_URL!).hostname);
  }, 60_000);
  afterEach(() => proxy.setMode('pass'));
  afterAll(async () => {
    await proxy?.close();
    for (const s of schemas) await s.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fullstop ingest: reports the restart precisely, keeps no half-written file, and a re-run completes', async () => {
    const db = schema();
    const restart = restartDuringCommit(db, 2);
    const failed = await ingest(generated, proxy.via(db.url));
    const terminated = await restart.up;
    const summary = JSON.parse(failed.stdout) as Summary;
    const during = await read(db);
    const error = failed.stderr.split('\n').find((line) => line.startsWith('error:'));
    console.log(
      `PostgreSQL restart, fullstop ingest: ${terminated} backend(s) terminated; exit ${failed.code} after ` +
        `${summary.files_ingested} files committed; ${error}`,
    );
    expect(terminated).toBeGreaterThan(0);
    expect(failed.code).toBe(1);
    expect(error).toMatch(new RegExp(`^error: the database became unavailable: ${RESTART_REASON.source.slice(1)}`));
    expect(failed.stderr).toContain(`${error}\n${HINT}`);
    expect(failed.stderr).not.toContain('unexpected failure');
    expect(summary).toMatchObject({ files: expect.any(Number), files_failed: 0 });
    expect(summary.files_ingested).toBeGreaterThan(0);
    expectIntact(during, summary.files_ingested);

    // The failed run could not drop its claims on the files it was reading (the database was gone), but they died
    // with its sessions: the re-run takes those files at once.
    const rerun = await ingest(generated, proxy.via(db.url));
    console.log(`PostgreSQL restart, fullstop ingest re-run: exit ${rerun.code}, ${rerun.wallSeconds.toFixed(1)} s`);
    expect(rerun.code).toBe(0);
    expect(rerun.stderr).toBe('');
    expect(JSON.parse(rerun.stdout)).toMatchObject({
      files_ingested: files.length - summary.files_ingested,
      files_already_ingested: summary.files_ingested,
      files_failed: 0,
    });
    expectComplete(await read(db));
  }, 60_000);

  it('fullstop ingest: a commit whose answer was lost is applied once, and the re-run skips its files', async () => {
    const db = schema();
    const restart = restartDuringCommit(db, 2, true);
    const failed = await ingest(generated, proxy.via(db.url));
    await restart.up;
    const summary = JSON.parse(failed.stdout) as Summary;
    const during = await read(db);
    console.log(
      `PostgreSQL restart, COMMIT answer lost: exit ${failed.code}; the run counted ${summary.files_ingested} ` +
        `files, the database holds ${processed(during)}`,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`error: the database became unavailable: ${CLOSED}\n${HINT}`);
    // The batch whose answer was lost was committed whole: its files are recorded with all their violations.
    expect(processed(during)).toBeGreaterThan(summary.files_ingested);
    expectIntact(during, processed(during));
    const rerun = await ingest(generated, proxy.via(db.url));
    expect(rerun.code).toBe(0);
    expect(JSON.parse(rerun.stdout)).toMatchObject({
      files_ingested: files.length - processed(during),
      files_already_ingested: processed(during),
    });
    expectComplete(await read(db));
  }, 60_000);

  it('fullstop server --ingest: /health DOWN, 503 with Retry-After, an error logged, and the next polls complete', async () => {
    const db = schema();
    const logs = join(dir, 'server-logs');
    const config = join(dir, 'server.yaml');
    writeFileSync(
      config,
      `auth:\n  tokens:\n    - { token: ${TOKEN}, uid: admin, accounts: "*" }\ningest:\n  poll_interval_seconds: 1\n`,
    );
    const first = files.slice(0, 100);
    copyLogs(generated, first, logs);
    const server = await startServerProcess(['--db', proxy.via(db.url), '--config', config, '--ingest', logs]);
    const auth = { authorization: `Bearer ${TOKEN}` };
    let recovered = false;
    let health: Promise<HealthSample[]> | undefined;
    try {
      await until('the first files', async () => (await processedCount(db)) === first.length);
      const restart = restartDuringCommit(db, 1);
      copyLogs(generated, files.slice(first.length), logs);
      health = watchHealth(server.url, () => !recovered);

      await restart.down;
      const list = await fetch(`${server.url}/api/violations?size=5&sort=id,desc`, { headers: auth });
      const resolve = await fetch(`${server.url}/api/violations/1/resolution`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'text/plain' },
        body: 'resolved while the database restarts',
      });
      const answers = [
        [list.status, list.headers.get('retry-after'), await list.json()],
        [resolve.status, resolve.headers.get('retry-after'), await resolve.json()],
      ];
      expectIntact(await read(db), first.length);
      await restart.up;
      const upAt = performance.now();
      await until('the missed files', async () => (await processedCount(db)) === files.length).catch(
        async (error: Error) => {
          // What the server was doing: its health (each source's counts) and its last log lines.
          const state = await (await fetch(`${server.url}/health`)).text();
          throw new Error(`${error.message}\n/health: ${state}\nlog:\n${server.logs.slice(-8).join('\n')}`);
        },
      );
      const recoverySeconds = (performance.now() - upAt) / 1000;
      await until('/health UP', async () => (await fetch(`${server.url}/health`)).status === 200, 5000);
      recovered = true;
      const samples = await health;

      const down = samples.filter((sample) => sample.status === 503);
      console.log(
        `PostgreSQL restart, fullstop server --ingest: /health 503 DOWN ×${down.length} of ${samples.length} ` +
          `answers (slowest ${Math.max(...samples.map((s) => s.ms)).toFixed(0)} ms); every file committed ` +
          `${recoverySeconds.toFixed(1)} s after the database was back`,
      );
      expect(answers).toEqual([
        [
          503,
          '5',
          {
            status: 503,
            error: 'Service Unavailable',
            message: 'the store is unavailable: try again later',
            path: '/api/violations',
          },
        ],
        [
          503,
          '5',
          {
            status: 503,
            error: 'Service Unavailable',
            message: 'the store is unavailable and nothing was changed: try again later',
            path: '/api/violations/1/resolution',
          },
        ],
      ]);
      expect(down.length).toBeGreaterThan(0);
      expect(down[0]!.body).toEqual({
        status: 'DOWN',
        store: { status: 'DOWN', error: 'the store failed (the server log has the cause)' },
        ingest: expect.any(Object),
      });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect(logged(server, 'ingest pass failed: the database is unavailable')[0]).toMatchObject({
        level: 50,
        trouble: 'unavailable',
        reason: expect.stringMatching(RESTART_REASON),
        committed: 0,
      });
      expect(logged(server, 'store ping failed: /health answers DOWN').length).toBeGreaterThan(0);
      // The server picks its own claims up again at once (it could not drop them while the database was away).
      expect(recoverySeconds).toBeLessThan(15);
      expectComplete(await read(db), true);
    } finally {
      recovered = true;
      await health?.catch(() => undefined);
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);
});
