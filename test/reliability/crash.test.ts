/**
 * Crash during ingest: the built `fullstop ingest`, and `fullstop server --ingest`, are killed with SIGKILL at
 * random moments over a generated folder, with enrichment on, and restarted after each kill; on SQLite and on
 * PostgreSQL. 10 kills per mode and store (20 per store, 40 in all) keep the file within about 90 s on the
 * project's two cores; FULLSTOP_CRASH_KILLS=20 kills each mode 20 times (about twice as long). One account's
 * look-ups always fail (the stand-ins do not let it assume its role), so the same events wait as pending
 * evaluations in every run. After each kill the store holds exactly the rows of the files it recorded as
 * processed; at the end it holds, whole row for whole row, what an uninterrupted run stored: the same violations,
 * lifecycle records, pending evaluations (with their events), processed-file records and failures, no duplicate
 * by natural key, no claim left behind, and every generated file recorded as processed or failed with a reason.
 *
 * The kill moments come from a seeded generator: FULLSTOP_CRASH_SEED=N replays a run's moments (the seed is
 * printed; the processes' own timing varies). Every other run is killed during its start-up, the others among its
 * commits, and once nothing is left to ingest, during a run that has nothing to do (see killRepeatedly). Needs
 * `npm run build` first (`npm test` does it).
 */
import { execFile } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from '../store/pg.js';
import {
  differences,
  duplicates,
  halfWritten,
  killLeftovers,
  listLogs,
  postgresReader,
  seededRandom,
  snapshot,
  sqliteReader,
  startFullstop,
  startStandIns,
  type LogFile,
  type Running,
  type Snapshot,
  type StandIns,
  type StoreReader,
} from './crash-helpers.js';
import { tempDir } from './store-trouble-helpers.js';

/** Kills per mode and store. */
const KILLS = Number(process.env.FULLSTOP_CRASH_KILLS || 10);
/** At most this many attempts per mode: kills plus runs that ended before their kill moment. */
const MAX_ATTEMPTS = 2 * KILLS;
const SEED = process.env.FULLSTOP_CRASH_SEED ? Number(process.env.FULLSTOP_CRASH_SEED) : Date.now() % 1_000_000;
const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');

const dir = tempDir('fullstop-crash-');
const logs = join(dir, 'logs');
const config = join(dir, 'fullstop.yaml');
let standIns: StandIns;
let files: LogFile[];
/** The files generated broken, which every run must record as failed with a reason. */
let broken: string[];
/** Event id → the key of the file holding it. */
const fileOf = new Map<string, string>();
/** The account whose look-ups always fail. */
let denied: string;

beforeAll(async () => {
  console.log(`crash: seed ${SEED} (FULLSTOP_CRASH_SEED=${SEED} replays the kill moments)`);
  await promisify(execFile)(process.execPath, [
    GENERATOR,
    ...['--out', logs, '--records', '12000', '--per-file', '24', '--run-instances', '0.04'],
    ...['--violations', '0.04', '--seed', '11', '--quiet'],
  ]);
  const manifest = JSON.parse(readFileSync(join(logs, '.manifest.json'), 'utf8')) as { accounts: string[] };
  denied = manifest.accounts[2]!;
  // Two files that are not CloudTrail: a truncated gzip and another JSON shape.
  const day = join(logs, 'AWSLogs', manifest.accounts[0]!, 'CloudTrail', 'eu-west-1', '2024', '05', '01');
  const someFile = listLogs(logs)[0]!.key;
  writeFileSync(join(day, 'truncated.json.gz'), readFileSync(join(logs, someFile)).subarray(0, 60));
  writeFileSync(join(day, 'not-cloudtrail.json.gz'), gzipSync(JSON.stringify({ hello: 'world' })));
  files = listLogs(logs);
  broken = files.filter((file) => file.eventIds.length === 0).map((file) => file.key);
  for (const file of files) for (const id of file.eventIds) fileOf.set(id, file.key);
  standIns = await startStandIns(
    manifest.accounts.filter((account) => account !== denied),
    config,
  );
  appendFileSync(config, '  timeout_seconds: 20\ningest:\n  poll_interval_seconds: 1\n');
}, 60_000);

afterAll(async () => {
  killLeftovers();
  await standIns?.close();
  rmSync(dir, { recursive: true, force: true });
});

// One thread: the fastest on two cores (worker threads start slowly with enrichment); the server runs its worker.
const ingestArgs = (db: string) => [
  ...['ingest', logs, '--config', config, '--db', db],
  ...['--workers', '0', '--retry-wait', '0', '-o', 'json'],
];
const serverArgs = (db: string) => [
  ...['server', '--no-auth', '--host', '127.0.0.1', '--port', '0'],
  ...['--db', db, '--config', config, '--ingest', logs],
];

/** The checks every finished store passes, reference or not. */
function expectComplete(snap: Snapshot): void {
  expect(duplicates(snap)).toEqual([]);
  const processed = snap.raw['processed_file']!.map((row) => String(row['key'])).sort();
  const failed = snap.raw['ingest_failure']!.map((row) => String(row['key'])).sort();
  expect(failed).toEqual([...broken].sort());
  for (const row of snap.raw['ingest_failure']!) expect(String(row['reason'])).toMatch(/\S/);
  expect(processed).toEqual(files.filter((file) => !broken.includes(file.key)).map((file) => file.key));
  // Pending evaluations: only the failing account's, each tried at least once and to be tried again.
  for (const row of snap.raw['pending_evaluation']!) {
    expect(row['account_id']).toBe(denied);
    expect(Number(row['attempts'])).toBeGreaterThanOrEqual(1);
    expect(Boolean(row['retryable'])).toBe(true);
    expect(String(row['last_error'])).toMatch(
      new RegExp(`aws:${denied} \\S+ \\S+: (AccessDenied: .*sts:AssumeRole|circuit open after repeated failures)`),
    );
  }
  // No claim left behind, neither by a run that ended nor by one that was killed while retrying.
  expect(snap.raw['pending_evaluation']!.filter((row) => row['claimed_by'] !== null)).toEqual([]);
  // An event waiting for its evaluation has no verdict yet.
  const waiting = new Set(snap.raw['pending_evaluation']!.map((row) => row['event_id']));
  expect(snap.raw['violation']!.filter((row) => waiting.has(row['event_id']))).toEqual([]);
  expect(snap.raw['lifecycle']!.filter((row) => waiting.has(row['event_id']))).toEqual([]);
}

/** How an uninterrupted run went: when it committed its first files, and when it was done. */
interface Timing {
  firstCommitMs: number;
  doneMs: number;
  /**
   * How long a run takes when nothing is left to ingest: a `fullstop ingest` ends then; for a server, the time
   * until its first commit stands for its start-up and first listing.
   */
  idleMs: number;
}

interface Reference {
  snap: Snapshot;
  ingest: Timing;
  server: Timing;
}

const processedCount = async (reader: StoreReader) =>
  Number((await reader.select('SELECT count(*) AS n FROM processed_file'))[0]?.['n'] ?? 0);

/** Resolves with true once the store holds more processed files than `before`, with false if the run ends first. */
async function nextCommit(reader: StoreReader, run: Running, before: number): Promise<boolean> {
  while (run.child.exitCode === null && run.child.signalCode === null) {
    if ((await processedCount(reader)) > before) return true;
    await sleep(20);
  }
  return false;
}

/** The server's JSON log entries. */
function serverLog(run: Running): Array<{ level: number; msg?: string; url?: string }> {
  return run
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg?: string; url?: string });
}

const goodFiles = () => files.length - broken.length;

/** Runs `fullstop ingest` to its end; exit 1 (the broken files failed, after all others were ingested). */
async function ingestToEnd(
  db: string,
  reader: StoreReader,
): Promise<{ firstCommitMs: number; doneMs: number; summary: Record<string, number> }> {
  const started = performance.now();
  const run = startFullstop(ingestArgs(db), standIns.env);
  const before = await processedCount(reader);
  const committed = await nextCommit(reader, run, before);
  const firstCommitMs = committed ? performance.now() - started : Number.NaN;
  const { code } = await run.exited;
  const doneMs = performance.now() - started;
  expect(code, run.stderr()).toBe(1);
  const summary = JSON.parse(run.stdout()) as Record<string, number>;
  expect(summary).toMatchObject({ files: files.length, files_failed: broken.length, rule_errors: 0 });
  return { firstCommitMs, doneMs, summary };
}

/**
 * Runs `fullstop server --ingest` until every file is accounted for and its listing pass has ended, then stops it
 * with SIGTERM, which it must obey (exit 0) without having logged an error.
 */
async function serveToEnd(db: string, reader: StoreReader): Promise<Timing> {
  const started = performance.now();
  const run = startFullstop(serverArgs(db), standIns.env);
  let firstCommitMs = Number.NaN;
  let doneMs: number;
  try {
    const before = await processedCount(reader);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (run.child.exitCode !== null) expect.fail(`the server exited (${run.child.exitCode}):\n${run.stderr()}`);
      expect(Date.now(), 'every file accounted for within 60 s').toBeLessThan(deadline);
      const processed = await processedCount(reader);
      if (processed > before && Number.isNaN(firstCommitMs)) firstCommitMs = performance.now() - started;
      const url = serverLog(run).find((entry) => entry.msg === 'fullstop server listening')?.url;
      if (url !== undefined && processed === goodFiles()) {
        const health = (await (await fetch(`${url}/health`)).json()) as {
          ingest?: { sources: Array<{ state: string; pending: number }> };
        };
        const source = health.ingest?.sources[0];
        if (source?.state === 'waiting' && source.pending === 0) break;
      }
      await sleep(20);
    }
    doneMs = performance.now() - started;
  } finally {
    if (run.child.exitCode === null) run.child.kill('SIGTERM');
  }
  const { code } = await run.exited;
  expect(code, run.stderr()).toBe(0);
  expect(serverLog(run).filter((entry) => entry.level >= 50)).toEqual([]);
  return { firstCommitMs, doneMs, idleMs: firstCommitMs };
}

/**
 * An uninterrupted `fullstop ingest`, then the same again, which must add nothing; and an uninterrupted
 * `fullstop server --ingest` into another store, which must store the same rows.
 */
async function reference(db: (name: string) => string, reader: (name: string) => StoreReader): Promise<Reference> {
  const { summary, ...ingest } = await ingestToEnd(db('reference'), reader('reference'));
  const snap = await snapshot(reader('reference'));
  expectComplete(snap);
  expect(snap.rows['violation']!.length).toBeGreaterThan(100);
  expect(snap.rows['lifecycle']!.length).toBeGreaterThan(50);
  expect(snap.rows['pending_evaluation']!.length).toBeGreaterThan(50);
  expect(summary['enrichment_pending']).toBe(snap.rows['pending_evaluation']!.length);

  const again = await ingestToEnd(db('reference'), reader('reference'));
  expect(again.summary).toMatchObject({ files_ingested: 0, violations_new: 0 });
  expect(differences(await snapshot(reader('reference')), snap)).toEqual([]);

  const server = await serveToEnd(db('server-reference'), reader('server-reference'));
  const served = await snapshot(reader('server-reference'));
  expectComplete(served);
  expect(differences(served, snap)).toEqual([]);
  return { snap, ingest: { ...ingest, idleMs: again.doneMs }, server };
}

interface CrashStats {
  kills: number;
  /** Runs that ended by themselves before their kill moment. */
  finished: number;
  /** Kills of a run that had committed nothing yet, that had committed some files, or that had nothing left. */
  beforeCommit: number;
  midWay: number;
  nothingLeft: number;
  ms: number;
}

/**
 * Starts `start()` again and again, killing each run with SIGKILL, until KILLS kills; after each, the store must
 * hold exactly the rows of the files it recorded (nothing half-written) and no duplicate. The moments: every other
 * run is killed at a moment drawn uniformly over the start-up of an uninterrupted run (until its first commit:
 * migrations, retries of due evaluations, listing, reading, look-ups); the others once they committed their first
 * files, at a moment drawn uniformly over the time the uninterrupted run took per commit after its first, so that
 * they land among the commits with files still left; a run with nothing left to ingest is killed at a moment drawn
 * over the time such a run takes.
 */
async function killRepeatedly(
  label: string,
  start: () => Running,
  reader: StoreReader,
  ref: Reference,
  timing: Timing,
  random: () => number,
  checkEnded: (run: Running, code: number | null) => void,
): Promise<CrashStats> {
  const stats: CrashStats = { kills: 0, finished: 0, beforeCommit: 0, midWay: 0, nothingLeft: 0, ms: 0 };
  const started = performance.now();
  let processed = await processedCount(reader);
  // The time an uninterrupted run took per commit after its first one (a commit takes up to 64 files).
  const batchMs = (timing.doneMs - timing.firstCommitMs) / Math.max(1, Math.ceil(goodFiles() / 64) - 1);
  for (let attempt = 1; stats.kills < KILLS; attempt++) {
    expect(attempt, `${label}: ${KILLS} kills within ${MAX_ATTEMPTS} attempts`).toBeLessThanOrEqual(MAX_ATTEMPTS);
    const left = 1 - processed / goodFiles();
    const draw = random();
    const run = start();
    const due =
      left === 0
        ? sleep(draw * timing.idleMs)
        : attempt % 2 === 1
          ? sleep(draw * timing.firstCommitMs)
          : nextCommit(reader, run, processed).then(() => sleep(draw * batchMs));
    const first = await Promise.race([run.exited.then(() => 'ended' as const), due.then(() => 'due' as const)]);
    if (first === 'due') run.child.kill('SIGKILL');
    const { code, signal } = await run.exited;
    const snap = await snapshot(reader);
    const now = snap.raw['processed_file']!.length;
    if (signal === 'SIGKILL') {
      stats.kills += 1;
      if (left === 0) stats.nothingLeft += 1;
      else if (now === processed) stats.beforeCommit += 1;
      else stats.midWay += 1;
    } else {
      stats.finished += 1;
      checkEnded(run, code);
    }
    expect(halfWritten(snap, ref.snap, fileOf), `${label}, attempt ${attempt}`).toEqual([]);
    expect(duplicates(snap), `${label}, attempt ${attempt}`).toEqual([]);
    processed = now;
  }
  stats.ms = performance.now() - started;
  return stats;
}

const describeStats = (s: CrashStats) =>
  `${s.kills} kills (${s.beforeCommit} before the run's first commit, ${s.midWay} after some commits, ` +
  `${s.nothingLeft} with nothing left to ingest), ${s.finished} runs ended before their kill moment, ` +
  `${(s.ms / 1000).toFixed(1)} s`;

/** `fullstop ingest`, killed KILLS times, then run to its end. */
async function crashIngest(db: string, reader: StoreReader, ref: Reference, random: () => number) {
  const stats = await killRepeatedly(
    'fullstop ingest',
    () => startFullstop(ingestArgs(db), standIns.env),
    reader,
    ref,
    ref.ingest,
    random,
    (run, code) => {
      // A run that ended: exit 1 for the broken files, nothing else wrong.
      expect(code, run.stderr()).toBe(1);
      expect(JSON.parse(run.stdout())).toMatchObject({ files: files.length, files_failed: broken.length });
    },
  );
  await ingestToEnd(db, reader);
  return stats;
}

/** `fullstop server --ingest`, killed KILLS times, then run until every file is accounted for and stopped. */
async function crashServer(db: string, reader: StoreReader, ref: Reference, random: () => number) {
  const stats = await killRepeatedly(
    'fullstop server --ingest',
    () => startFullstop(serverArgs(db), standIns.env),
    reader,
    ref,
    ref.server,
    random,
    (run, code) => expect.fail(`the server exited by itself (${code}):\n${run.stderr()}\n${run.stdout()}`),
  );
  await serveToEnd(db, reader);
  return stats;
}

/** The final store against the reference, and the figures of the run. */
async function expectAsReference(label: string, reader: StoreReader, ref: Reference, stats: CrashStats) {
  const snap = await snapshot(reader);
  expectComplete(snap);
  expect(differences(snap, ref.snap), label).toEqual([]);
  console.log(`crash, ${reader.name}, ${label}: ${describeStats(stats)}`);
}

function figures(name: string, ref: Reference): string {
  const rows = ref.snap.rows;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const timing = (t: Timing) => `first commit after ${seconds(t.firstCommitMs)}, done after ${seconds(t.doneMs)}`;
  return (
    `crash, ${name}: ${files.length} files (${broken.length} broken), ${rows['violation']!.length} violations, ` +
    `${rows['lifecycle']!.length} lifecycle records, ${rows['pending_evaluation']!.length} pending evaluations; ` +
    `uninterrupted fullstop ingest: ${timing(ref.ingest)} (${seconds(ref.ingest.idleMs)} with nothing left), ` +
    `fullstop server --ingest: ${timing(ref.server)}`
  );
}

interface StoreUnderTest {
  /** The database URL of the store `name` (a file, or a schema), and a reader of it. */
  db(name: string): string;
  reader(name: string): StoreReader;
  /** PostgreSQL: the leases left in the store `name`, which must be none at the end. */
  leases?(name: string): Promise<unknown[]>;
}

/**
 * The references, then `fullstop ingest` and `fullstop server --ingest`, each killed KILLS times and restarted,
 * each ending with the reference's rows. `reported` hears of the reference as soon as it is made.
 */
async function crashBoth(store: StoreUnderTest, seed: number, reported: (ref: Reference) => void): Promise<Reference> {
  const ref = await reference(store.db, store.reader);
  reported(ref);
  console.log(figures(store.reader('reference').name, ref));
  const started = performance.now();
  const ingest = await crashIngest(store.db('ingest'), store.reader('ingest'), ref, seededRandom(seed));
  await expectAsReference('fullstop ingest', store.reader('ingest'), ref, ingest);
  const server = await crashServer(store.db('server'), store.reader('server'), ref, seededRandom(seed + 1));
  await expectAsReference('fullstop server --ingest', store.reader('server'), ref, server);
  for (const name of ['ingest', 'server']) expect((await store.leases?.(name)) ?? []).toEqual([]);
  console.log(
    `crash, ${store.reader('reference').name}: ${ingest.kills + server.kills} kills in all, ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s with the final runs`,
  );
  return ref;
}

/** The SQLite reference, for PostgreSQL's to be compared with (when the SQLite test ran first). */
let sqliteReference: Snapshot | undefined;

describe('SIGKILL during ingest', () => {
  it(`SQLite: fullstop ingest and fullstop server --ingest, each killed ${KILLS} times and restarted, end with the rows of an uninterrupted run`, async () => {
    await crashBoth(
      {
        db: (name) => `sqlite:${join(dir, `${name}.db`)}`,
        reader: (name) => sqliteReader(join(dir, `${name}.db`)),
      },
      SEED,
      (ref) => (sqliteReference = ref.snap),
    );
  }, 180_000);

  it.skipIf(PG_SKIP_REASON !== undefined)(
    pgTitle(
      `PostgreSQL: fullstop ingest and fullstop server --ingest, each killed ${KILLS} times and restarted, end with the rows of an uninterrupted run, and of SQLite`,
    ),
    async () => {
      const schemas = new Map<string, TestSchema>();
      const schema = (name: string) => {
        if (!schemas.has(name)) schemas.set(name, testSchema());
        return schemas.get(name)!;
      };
      try {
        const ref = await crashBoth(
          {
            db: (name) => schema(name).url,
            reader: (name) => postgresReader(schema(name)),
            leases: async (name) => (await schema(name).query('SELECT * FROM ingest_lease')).rows,
          },
          SEED + 2,
          () => {},
        );
        // The same rows in both stores (whole rows, types aside: see crash-helpers.ts).
        if (sqliteReference !== undefined) expect(differences(ref.snap, sqliteReference)).toEqual([]);
      } finally {
        await Promise.all([...schemas.values()].map((s) => s.drop()));
      }
    },
    180_000,
  );
});
