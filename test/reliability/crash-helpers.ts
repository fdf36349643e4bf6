/**
 * What the crash suite needs around the real binaries: a seeded random source, the built `fullstop` as a child
 * process that can be killed at any moment, the demo stand-ins (a process of their own) for the look-ups, and the
 * store read as whole rows, the same way on SQLite and on PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { TestSchema } from '../store/pg.js';
import { BINARY } from '../e2e/server-process.js';

/** mulberry32: small and deterministic, so that a seed printed by a failing run replays its kill moments. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Running {
  child: ChildProcess;
  /** Resolves when the process is gone, with its exit code (null when a signal ended it) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

const started = new Set<ChildProcess>();

/** Kills what `startFullstop` started and is still running (a test that failed mid-way). */
export function killLeftovers(): void {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  started.clear();
}

/** Starts the built `fullstop` with `args` (stdout and stderr kept). */
export function startFullstop(args: string[], env: NodeJS.ProcessEnv): Running {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is missing: run \`npm run build\` first (npm test does)`);
  const child = spawn(process.execPath, [BINARY, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  started.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      started.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, exited, stdout: () => out, stderr: () => err };
}

export interface StandIns {
  env: Record<string, string>;
  /** The `rules` and `enrichment` sections that make the stand-ins the systems looked up. */
  config: string;
  close(): Promise<void>;
}

/**
 * The demo stand-ins for EC2/STS, Kio and Pier One (scripts/demo-stand-ins.mjs) in a process of their own, so that
 * they answer while this process waits. Only `accounts` have the role `fullstop` to assume: look-ups in any other
 * account fail (STS AccessDenied), every time, whatever the timing.
 */
export async function startStandIns(accounts: string[], configOut: string): Promise<StandIns> {
  const script = join(import.meta.dirname, '../../scripts/demo-stand-ins.mjs');
  const child = spawn(process.execPath, [script, '--accounts', accounts.join(','), '--config-out', configOut], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the stand-ins exited with ${code}`)));
  });
  const { env } = JSON.parse(line) as { env: Record<string, string> };
  return {
    env,
    config: readFileSync(configOut, 'utf8'),
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface LogFile {
  /** Path relative to the logs folder: the key fullstop records it under. */
  key: string;
  eventIds: string[];
}

/** Every delivery file under `dir` (hidden files aside), in key order, with the event ids of the readable ones. */
export function listLogs(dir: string): LogFile[] {
  const files: LogFile[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.name.startsWith('.')) continue;
      if (entry.isDirectory()) walk(path);
      else {
        let eventIds: string[] = [];
        try {
          const { Records } = JSON.parse(gunzipSync(readFileSync(path)).toString()) as {
            Records: Array<{ eventID: string }>;
          };
          eventIds = Records.map((record) => record.eventID);
        } catch {
          // Not CloudTrail: a file meant to fail.
        }
        files.push({ key: relative(dir, path).split('\\').join('/'), eventIds });
      }
    }
  };
  walk(dir);
  return files.sort((a, b) => (a.key < b.key ? -1 : 1));
}

type Row = Record<string, unknown>;

/** Reads rows; an empty list when the store does not exist yet (killed before it was created). */
export interface StoreReader {
  name: string;
  select(sql: string): Promise<Row[]>;
}

export function sqliteReader(path: string): StoreReader {
  return {
    name: 'SQLite',
    async select(sql) {
      if (!existsSync(path)) return [];
      // Read-write: a WAL left by a killed writer is recovered on open, as the next writer would.
      const db = new Database(path, { fileMustExist: true });
      try {
        return db.prepare(sql).all() as Row[];
      } catch (error) {
        // The first run was killed before its migrations created the table.
        if (/no such table/.test((error as Error).message)) return [];
        throw error;
      } finally {
        db.close();
      }
    },
  };
}

export function postgresReader(schema: TestSchema): StoreReader {
  return {
    name: 'PostgreSQL',
    async select(sql) {
      try {
        return (await schema.query(sql)).rows as Row[];
      } catch (error) {
        // 42P01: the relation does not exist (the first run was killed before its migrations).
        if ((error as { code?: string }).code === '42P01') return [];
        throw error;
      }
    },
  };
}

/**
 * The columns left out of the comparison, per table, and why: each is legitimately different between two runs
 * that stored the same thing.
 * - `id` (violation, lifecycle, pending_evaluation): autoincrement, in the order rows happened to commit.
 * - `created`, `last_modified` (violation, lifecycle, violation_type), `created` (app_version: first seen),
 *   `processed_at`, `at`: the wall-clock time of the write.
 * - pending_evaluation `attempts`, `next_attempt_at`, `last_error`, `claimed_by`, `claimed_until` (and
 *   `claimed_lock`, PostgreSQL only): when and how often the retries ran, which depends on how long the run took (a
 *   row comes due 5 s after its first attempt, and every restart retries the due ones), and which of the failing
 *   account's look-ups met the open circuit breaker ("circuit open") rather than STS's refusal. The test checks
 *   them separately: at least one attempt, the failing account's error, no claim left.
 * Every other column is compared, including any added later (rows are read with `SELECT *`).
 */
export const EXCLUDED: Record<string, readonly string[]> = {
  violation: ['id', 'created', 'last_modified'],
  lifecycle: ['id', 'created', 'last_modified'],
  pending_evaluation: [
    ...['id', 'attempts', 'next_attempt_at', 'last_error', 'created'],
    ...['claimed_by', 'claimed_until', 'claimed_lock'],
  ],
  processed_file: ['processed_at'],
  ingest_failure: ['at'],
  app_version: ['created'],
  violation_type: ['created', 'last_modified'],
  rule: ['id', 'created', 'last_modified'],
};

/** The natural key of each table: no two rows may share one. */
export const NATURAL_KEY: Record<string, readonly string[]> = {
  violation: ['account_id', 'region', 'event_id', 'violation_type_entity_id', 'instance_id'],
  lifecycle: ['account_id', 'region', 'event_id', 'instance_id'],
  pending_evaluation: ['account_id', 'region', 'event_id'],
  processed_file: ['source', 'key'],
  ingest_failure: ['source', 'key'],
  app_version: ['name'],
  violation_type: ['id'],
  rule: ['account_id', 'region', 'violation_type_entity_id', 'reason', 'expiry_date'],
};

export const TABLES = Object.keys(EXCLUDED);

/** Columns whose SQLite integers are PostgreSQL booleans, and PostgreSQL bigints that `pg` reads as strings. */
const BOOLEAN = new Set(['retryable', 'transient', 'is_audit_relevant']);
const BIGINT = new Set(['records', 'bad_records', 'event_date', 'instance_boot_time', 'expiry_date', 'version']);

function normalise(row: Row, excluded: readonly string[]): Row {
  const out: Row = {};
  for (const column of Object.keys(row).sort()) {
    if (excluded.includes(column)) continue;
    const value = row[column];
    if (BOOLEAN.has(column) && value !== null) out[column] = Boolean(value);
    else if (BIGINT.has(column) && typeof value === 'string') out[column] = Number(value);
    else out[column] = value;
  }
  return out;
}

export interface Snapshot {
  /** Per table, the compared rows as canonical JSON lines, sorted. */
  rows: Record<string, string[]>;
  /** Per table, the raw rows (every column). */
  raw: Record<string, Row[]>;
}

export async function snapshot(reader: StoreReader): Promise<Snapshot> {
  const rows: Record<string, string[]> = {};
  const raw: Record<string, Row[]> = {};
  for (const table of TABLES) {
    raw[table] = await reader.select(`SELECT * FROM ${table}`);
    rows[table] = raw[table].map((row) => JSON.stringify(normalise(row, EXCLUDED[table]!))).sort();
  }
  return { rows, raw };
}

/** Natural keys held by more than one row, per table. */
export function duplicates(snap: Snapshot): string[] {
  const found: string[] = [];
  for (const table of TABLES) {
    const seen = new Map<string, number>();
    for (const row of snap.raw[table]!) {
      const key = JSON.stringify(NATURAL_KEY[table]!.map((column) => row[column] ?? null));
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [key, n] of seen) if (n > 1) found.push(`${table} ${key} ×${n}`);
  }
  return found;
}

/**
 * The rows a store must hold when it recorded `processed` (keys) as processed, given the complete reference: the
 * violations, lifecycle records and pending evaluations of those files' events, nothing of any other file. What
 * does not hold, as readable lines (empty: no file half-written, none recorded without its rows).
 */
export function halfWritten(snap: Snapshot, reference: Snapshot, fileOf: Map<string, string>): string[] {
  const processed = new Set(snap.raw['processed_file']!.map((row) => String(row['key'])));
  const problems: string[] = [];
  const ofProcessed = (table: string, line: string) => {
    const row = JSON.parse(line) as Row;
    const key = table === 'pending_evaluation' ? String(row['key']) : fileOf.get(String(row['event_id']));
    return key !== undefined && processed.has(key);
  };
  for (const table of ['violation', 'lifecycle', 'pending_evaluation']) {
    const expected = new Set(reference.rows[table]!.filter((line) => ofProcessed(table, line)));
    const actual = new Set(snap.rows[table]!);
    for (const line of expected) if (!actual.has(line)) problems.push(`${table} missing: ${line}`);
    for (const line of actual) if (!expected.has(line)) problems.push(`${table} unexpected: ${line}`);
  }
  const failed = new Set(snap.raw['ingest_failure']!.map((row) => String(row['key'])));
  for (const key of processed) if (failed.has(key)) problems.push(`file both processed and failed: ${key}`);
  return problems;
}

/** Rows that differ from the reference, per table (empty: the same whole rows). */
export function differences(snap: Snapshot, reference: Snapshot): string[] {
  const problems: string[] = [];
  for (const table of TABLES) {
    const actual = new Set(snap.rows[table]);
    const expected = new Set(reference.rows[table]);
    for (const line of expected) if (!actual.has(line)) problems.push(`${table} missing: ${line}`);
    for (const line of actual) if (!expected.has(line)) problems.push(`${table} unexpected: ${line}`);
    if (snap.rows[table]!.length !== reference.rows[table]!.length)
      problems.push(`${table}: ${snap.rows[table]!.length} rows, the reference ${reference.rows[table]!.length}`);
  }
  return problems;
}
