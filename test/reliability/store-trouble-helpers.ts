/**
 * What the store-trouble suites need around the real binaries: generated CloudTrail logs with the event ids of each
 * file, a process holding a SQLite database's write lock, a small tmpfs standing for a full disk, the violations and
 * processed files of a SQLite file read directly, and a server's log and `/health` watched while the trouble lasts.
 * (Whole rows of either store, as the PostgreSQL suite compares them: crash-helpers.ts.)
 */
import { execFile, spawn } from 'node:child_process';
import {
  closeSync,
  cpSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { ServerProcess } from '../e2e/server-process.js';

const run = promisify(execFile);
const GENERATOR = join(import.meta.dirname, '../../scripts/generate-cloudtrail.mjs');
const LOCK_HOLDER = join(import.meta.dirname, 'lock-holder.mjs');

export interface LogFile {
  /** Path relative to the logs folder: the key fullstop records it under. */
  key: string;
  eventIds: string[];
}

/** Writes generated delivery files into `dir` and returns them, in key order, with their event ids. */
export async function generateLogs(dir: string, records: number, perFile = 100): Promise<LogFile[]> {
  const args = [
    '--out',
    dir,
    '--records',
    String(records),
    '--per-file',
    String(perFile),
    '--violations',
    '0.2',
    '--quiet',
  ];
  await run(process.execPath, [GENERATOR, ...args]);
  const files: LogFile[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.json.gz')) {
        const { Records } = JSON.parse(gunzipSync(readFileSync(path)).toString()) as { Records: { eventID: string }[] };
        files.push({ key: relative(dir, path), eventIds: Records.map((r) => r.eventID) });
      }
    }
  };
  walk(dir);
  return files.sort((a, b) => (a.key < b.key ? -1 : 1));
}

/** Copies some of the generated files into `to`, keeping their keys. */
export function copyLogs(from: string, files: LogFile[], to: string): void {
  for (const file of files) {
    mkdirSync(dirname(join(to, file.key)), { recursive: true });
    cpSync(join(from, file.key), join(to, file.key));
  }
}

export interface StoreContent {
  /** One line per violation: event id, type, instance, account, region. */
  violations: Set<string>;
  processedKeys: Set<string>;
  integrity: string;
}

/** Reads a database file directly (read-only; readers are not blocked by a writer in WAL mode). */
export function readStore(path: string): StoreContent {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT event_id, violation_type_entity_id, instance_id, account_id, region FROM violation')
      .raw()
      .all() as string[][];
    const keys = db.prepare('SELECT key FROM processed_file').pluck().all() as string[];
    const integrity = db.pragma('quick_check', { simple: true }) as string;
    return { violations: new Set(rows.map((row) => row.join('|'))), processedKeys: new Set(keys), integrity };
  } finally {
    db.close();
  }
}

/**
 * Checks that a database holds exactly the violations of the files it recorded as processed, as an undisturbed
 * run found them: no file half-written, none recorded without its violations. Returns what is wrong, if anything.
 */
export function halfWritten(content: StoreContent, reference: StoreContent, files: LogFile[]): string[] {
  const fileOf = new Map<string, string>();
  for (const file of files) for (const id of file.eventIds) fileOf.set(id, file.key);
  const expected = [...reference.violations].filter((v) => content.processedKeys.has(fileOf.get(v.split('|')[0]!)!));
  const problems = expected.filter((v) => !content.violations.has(v)).map((v) => `missing ${v}`);
  for (const v of content.violations) if (!expected.includes(v)) problems.push(`of a file not recorded: ${v}`);
  return problems;
}

/** Waits until `condition` holds (checked every 100 ms), or fails naming `what`. */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}

/** The server's JSON log entries whose message starts with `message`. */
export function logged(server: ServerProcess, message: string): Array<Record<string, unknown>> {
  return server.logs
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => typeof entry['msg'] === 'string' && (entry['msg'] as string).startsWith(message));
}

export interface HealthSample {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

/** Asks `/health` every 100 ms while `busy()` holds; returns every answer with its time. */
export async function watchHealth(url: string, busy: () => boolean): Promise<HealthSample[]> {
  const samples: HealthSample[] = [];
  while (busy()) {
    const started = performance.now();
    const res = await fetch(`${url}/health`);
    const body = (await res.json()) as Record<string, unknown>;
    samples.push({ status: res.status, body, ms: performance.now() - started });
    await delay(100);
  }
  return samples;
}

/** A process holding the write lock of `db` until `release()`. */
export async function holdLock(db: string): Promise<{ release(): Promise<void> }> {
  const child = spawn(process.execPath, [LOCK_HOLDER, db], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const seen = (wanted: string) =>
    new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => line === wanted && resolve());
      child.on('exit', (code) => reject(new Error(`lock holder exited (${code}) before "${wanted}"`)));
    });
  await seen('locked');
  return {
    async release() {
      const released = seen('released');
      child.stdin.end('release\n');
      await released;
    },
  };
}

/**
 * Why the full-disk tests cannot run here, if they cannot: they mount a tmpfs, which needs root (as on the
 * project's machines and CI, where FULLSTOP_TEST_TMPFS_REQUIRED=1 turns a skip into a failure).
 */
export const fullDiskSkipReason: string | undefined =
  process.getuid?.() === 0 || process.env.FULLSTOP_TEST_TMPFS_REQUIRED === '1'
    ? undefined
    : 'skipped: mounting the small tmpfs of the full-disk tests needs root';

/** A tmpfs of `bytes` (root only): the disk that fills up. */
export async function smallDisk(bytes: number): Promise<{
  path: string;
  /** Fills the disk up to `leave` bytes left free. */
  fill(leave: number): void;
  /** Frees what fill() took. */
  free(): void;
  close(): Promise<void>;
}> {
  const path = mkdtempSync(join(tmpdir(), 'fullstop-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', path]);
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    throw new Error(
      `the full-disk tests mount a small tmpfs, which needs root (as on the project's machines and CI): ${(error as Error).message}`,
    );
  }
  const filler = join(path, 'filler');
  return {
    path,
    fill(leave) {
      const fd = openSync(filler, 'w');
      const chunk = Buffer.alloc(64 * 1024, 1);
      let written = 0;
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
      try {
        ftruncateSync(fd, Math.max(0, written - leave));
      } finally {
        closeSync(fd);
      }
    },
    free() {
      rmSync(filler, { force: true });
    },
    async close() {
      await run('umount', [path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
