/**
 * Soak: 50 concurrent HTTP clients (undici, one keep-alive connection each), each a loop of requests, against the
 * built `fullstop server` on a SQLite store of 100,000 seeded violations, for FULLSTOP_SOAK_SECONDS (default 60):
 * 50 % lists (no filter, an account, a type, both, open, resolved or a region; pages 0-5 of 10-50; newest first
 * or by id), 10 % counts (by account and type, or by application version), 20 % single violations, 12 % single
 * resolutions and 8 % batch resolutions of 1-20 ids. Meanwhile ingest runs: the test drops 5 generated CloudTrail
 * delivery files (100 records each) into a folder every second, and `fullstop ingest` runs on that folder every 2
 * seconds, as a scheduled job would, writing the same SQLite file as the server (the set-up the README names for
 * SQLite: an ingest and a server on one file; the server's own `--ingest` would put both in one process and hide
 * whose memory is whose).
 *
 * Checked: no request fails (every answer 200, no connection error), no resolution is lost (every id that answered
 * `resolved` holds exactly that request's comment at the end, and no other violation holds a soak comment), every
 * dropped file is ingested exactly once, and memory stays flat: the server's RSS (from /proc/PID/status every
 * second) in the last sixth of the run against the second sixth (after warm-up), and the same for the peak RSS of
 * the ingest runs started in those windows (each run's exact peak, by /usr/bin/time or /proc, as measure.ts takes
 * it). It prints requests per second, errors, latencies (p50, p99 by kind) and the peak RSS of both.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../e2e/server-process.js';
import { runMeasured } from './measure.js';
import { copyLogs, generateLogs, tempDir, type LogFile } from './store-trouble-helpers.js';
import { seededRandom } from './crash-helpers.js';

const SECONDS = Number(process.env.FULLSTOP_SOAK_SECONDS || 60);
const CLIENTS = 50;
const SEEDED = 100_000;
const FILES_PER_SECOND = 5;
/** A run of `fullstop ingest` starts this often (or as soon as the last one ended, when that took longer). */
const INGEST_EVERY_SECONDS = 2;
/**
 * Memory is flat when the median RSS of the last window exceeds that of the warm window by at most 15 % or 20 MB,
 * whichever is more (a leak of half a megabyte a second fails a 60-second run; runs vary by a few MB).
 */
const FLAT_BOUND = { ratio: 1.15, mb: 20 };
const TOKEN = 'soak-token-0123456789';
const SEED = join(import.meta.dirname, '../../scripts/seed-violations.mjs');

const dir = tempDir('fullstop-soak-');
const db = join(dir, 'soak.db');
const watched = join(dir, 'delivered');
let files: LogFile[];
let server: ServerProcess | undefined;
let pool: Pool | undefined;

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

type Kind = 'list' | 'count' | 'single' | 'resolve' | 'batch';
interface Failure {
  kind: Kind;
  what: string;
}

beforeAll(async () => {
  const started = performance.now();
  files = await generateLogs(join(dir, 'generated'), SECONDS * FILES_PER_SECOND * 100, 100);
  await promisify(execFile)(process.execPath, [SEED, `sqlite:${db}`, String(SEEDED)]);
  writeFileSync(join(dir, 'server.yaml'), `auth:\n  tokens:\n    - { token: ${TOKEN}, uid: soak, accounts: "*" }\n`);
  server = await startServerProcess(['--db', `sqlite:${db}`, '--config', join(dir, 'server.yaml')]);
  pool = new Pool(server.url, { connections: CLIENTS, headersTimeout: 30_000, bodyTimeout: 30_000 });
  console.log(
    `soak: ${files.length} delivery files generated, ${SEEDED} violations seeded, server up in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}, 60_000);
afterAll(async () => {
  await pool?.close();
  if (server !== undefined) expect(await server.stop()).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe(`soak: ${CLIENTS} clients for ${SECONDS} s while ingest runs`, () => {
  it(
    'answers every request, loses no resolution, ingests every file once, and keeps memory flat',
    async () => {
      const api = pool!;
      const auth = { authorization: `Bearer ${TOKEN}` };
      // What the clients filter by: the accounts and types that hold violations.
      const counted = await api.request({ path: '/api/violation-count', method: 'GET', headers: auth });
      const pairs = (await counted.body.json()) as Array<{ account_id: string; type: string }>;
      const accounts = [...new Set(pairs.map((p) => p.account_id))];
      const types = [...new Set(pairs.map((p) => p.type))];
      const regions = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'];

      const serverCpuBefore = cpuSeconds(server!.child.pid!);
      const clientCpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      const elapsed = () => (performance.now() - startedAt) / 1000;
      let stopping = false;

      // Memory of the server, every second.
      const serverRss: Array<{ at: number; mb: number }> = [];
      const sampler = setInterval(() => {
        const mb = rssMb(server!.child.pid!);
        if (mb !== undefined) serverRss.push({ at: elapsed(), mb });
      }, 1000);

      // Deliveries: FILES_PER_SECOND files a second into the watched folder; `fullstop ingest` over it, again and again.
      let delivered = 0;
      const deliveries = (async () => {
        while (!stopping && delivered < files.length) {
          copyLogs(join(dir, 'generated'), files.slice(delivered, delivered + FILES_PER_SECOND), watched);
          delivered = Math.min(files.length, delivered + FILES_PER_SECOND);
          await delay(1000);
        }
      })();
      const ingests: Array<{ at: number; peakMb: number; seconds: number; code: number | null; stderr: string }> = [];
      const ingesting = (async () => {
        while (!stopping) {
          if (delivered === 0) {
            await delay(100);
            continue;
          }
          const at = elapsed();
          const run = await runMeasured(['ingest', watched, '--db', `sqlite:${db}`, '-o', 'json']);
          ingests.push({ at, peakMb: run.peakRssMb, seconds: run.wallSeconds, code: run.code, stderr: run.stderr });
          await delay(Math.max(0, (at + INGEST_EVERY_SECONDS - elapsed()) * 1000));
        }
      })();

      // The clients. Open violations seen in lists are taken by one client each, to resolve: so every resolved id
      // has exactly one comment that must be there at the end.
      const taken = new Set<number>();
      const resolved = new Map<number, string>();
      const seen: number[] = [];
      const latencies: Record<Kind, number[]> = { list: [], count: [], single: [], resolve: [], batch: [] };
      const failures: Failure[] = [];
      let requests = 0;

      async function call(
        kind: Kind,
        options: { path: string; method?: 'GET' | 'POST'; body?: string; type?: string },
      ): Promise<unknown> {
        const started = performance.now();
        try {
          const res = await api.request({
            path: options.path,
            method: options.method ?? 'GET',
            headers: options.type ? { ...auth, 'content-type': options.type } : auth,
            ...(options.body !== undefined ? { body: options.body } : {}),
          });
          const text = await res.body.text();
          latencies[kind].push(performance.now() - started);
          requests += 1;
          if (res.statusCode !== 200) {
            failures.push({ kind, what: `${options.method ?? 'GET'} ${options.path}: ${res.statusCode} ${text}` });
            return undefined;
          }
          return JSON.parse(text) as unknown;
        } catch (error) {
          requests += 1;
          failures.push({ kind, what: `${options.method ?? 'GET'} ${options.path}: ${(error as Error).message}` });
          return undefined;
        }
      }

      async function client(index: number): Promise<void> {
        const random = seededRandom(1000 + index);
        const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
        const mine: number[] = [];
        let n = 0;
        while (elapsed() < SECONDS) {
          const roll = random();
          n += 1;
          if (roll < 0.5 || (roll >= 0.8 && mine.length === 0)) {
            const query = new URLSearchParams({
              size: String(pick([10, 20, 50])),
              page: String(pick([0, 0, 1, 2, 5])),
            });
            const filter = pick(['none', 'account', 'type', 'both', 'open', 'resolved', 'region', 'newest']);
            if (filter === 'account' || filter === 'both') query.set('accounts', pick(accounts));
            if (filter === 'type' || filter === 'both') query.set('type', pick(types));
            if (filter === 'open') query.set('checked', 'false');
            if (filter === 'resolved') query.set('checked', 'true');
            if (filter === 'region') query.set('regions', pick(regions));
            if (filter === 'newest' || random() < 0.3) query.set('sort', 'id,desc');
            const page = (await call('list', { path: `/api/violations?${query}` })) as
              { content: Array<{ id: number; comment: string | null }> } | undefined;
            for (const v of page?.content ?? []) {
              if (seen.length < 5000) seen.push(v.id);
              else seen[Math.floor(random() * seen.length)] = v.id;
              if (v.comment === null && !taken.has(v.id) && mine.length < 200) {
                taken.add(v.id);
                mine.push(v.id);
              }
            }
          } else if (roll < 0.6) {
            const path =
              random() < 0.5
                ? `/api/violation-count?accounts=${pick(accounts)}`
                : `/api/violation-count/${pick(accounts)}`;
            await call('count', { path });
          } else if (roll < 0.8) {
            if (seen.length > 0) await call('single', { path: `/api/violations/${pick(seen)}` });
          } else if (roll < 0.92) {
            const id = mine.shift()!;
            const comment = `soak c${index} #${n}: fixed`;
            const answer = (await call('resolve', {
              path: `/api/violations/${id}/resolution`,
              method: 'POST',
              body: comment,
              type: 'text/plain',
            })) as { id: number; comment: string } | undefined;
            if (answer !== undefined) {
              if (answer.comment === comment) resolved.set(id, comment);
              else failures.push({ kind: 'resolve', what: `${id} answered comment ${answer.comment}` });
            }
          } else {
            const ids = mine.splice(0, 1 + Math.floor(random() * 20));
            const comment = `soak c${index} #${n}: batch of ${ids.length}`;
            const answer = (await call('batch', {
              path: '/api/violations/resolutions',
              method: 'POST',
              body: JSON.stringify({ ids, comment }),
              type: 'application/json',
            })) as { results: Array<{ id: number; status: string; message?: string }> } | undefined;
            for (const result of answer?.results ?? []) {
              if (result.status === 'resolved') resolved.set(result.id, comment);
              else failures.push({ kind: 'batch', what: `${result.id}: ${result.status} ${result.message ?? ''}` });
            }
          }
        }
      }

      await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
      const seconds = elapsed();
      const serverCpu = cpuSeconds(server!.child.pid!) - serverCpuBefore;
      const clientCpu = process.cpuUsage(clientCpuBefore);
      stopping = true;
      clearInterval(sampler);
      await deliveries;
      await ingesting;
      // The files delivered last, once more, as the next scheduled run would.
      const last = await runMeasured(['ingest', watched, '--db', `sqlite:${db}`, '-o', 'json']);
      expect(last.code).toBe(0);

      // Figures.
      const all = Object.values(latencies)
        .flat()
        .sort((a, b) => a - b);
      const byKind = (Object.keys(latencies) as Kind[])
        .map((kind) => {
          const sorted = [...latencies[kind]].sort((a, b) => a - b);
          return `${kind} ×${sorted.length} p99 ${percentile(sorted, 99).toFixed(0)} ms`;
        })
        .join(', ');
      const window = (from: number, to: number) => [Math.round(from * SECONDS), Math.round(to * SECONDS)] as const;
      const [warmFrom, warmTo] = window(1 / 6, 2 / 6);
      const [lastFrom, lastTo] = window(5 / 6, 1);
      const inWindow = (at: number, from: number, to: number) => at >= from && at < to;
      const serverWarm = median(serverRss.filter((s) => inWindow(s.at, warmFrom, warmTo)).map((s) => s.mb));
      const serverLast = median(serverRss.filter((s) => inWindow(s.at, lastFrom, lastTo + 1)).map((s) => s.mb));
      const ingestWarm = median(ingests.filter((r) => inWindow(r.at, warmFrom, warmTo)).map((r) => r.peakMb));
      const ingestLast = median(ingests.filter((r) => inWindow(r.at, lastFrom, lastTo)).map((r) => r.peakMb));
      const serverPeak = Math.max(...serverRss.map((s) => s.mb));
      const ingestPeak = Math.max(last.peakRssMb, ...ingests.map((r) => r.peakMb));
      const mb = (value: number) => `${value.toFixed(0)} MB`;
      console.log(
        [
          `soak: ${CLIENTS} clients, ${seconds.toFixed(1)} s: ${requests} requests, ` +
            `${Math.round(requests / seconds)} req/s, ${failures.length} errors; ` +
            `latency p50 ${percentile(all, 50).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(0)} ms, ` +
            `max ${all.at(-1)?.toFixed(0)} ms (${byKind})`,
          `soak: ${resolved.size} violations resolved; ${delivered} files delivered, ${ingests.length} ingest runs ` +
            `(${median(ingests.map((r) => r.seconds)).toFixed(1)} s median); CPU: server ` +
            `${((serverCpu / seconds) * 100).toFixed(0)} %, clients ` +
            `${(((clientCpu.user + clientCpu.system) / 1e6 / seconds) * 100).toFixed(0)} % of a core`,
          `soak: server RSS peak ${mb(serverPeak)}, median ${mb(serverWarm)} at ${warmFrom}-${warmTo} s, ` +
            `${mb(serverLast)} at ${lastFrom}-${lastTo} s; ingest peak RSS ${mb(ingestPeak)}, ` +
            `median of the runs ${mb(ingestWarm)} then ${mb(ingestLast)}`,
        ].join('\n'),
      );

      expect(failures.slice(0, 10)).toEqual([]);
      expect(requests).toBeGreaterThan(SECONDS * 100);
      expect(ingests.filter((r) => r.code !== 0).map((r) => r.stderr)).toEqual([]);
      expect(ingests.length).toBeGreaterThan(SECONDS / 10);

      // No resolution lost, none invented.
      const store = new Database(db, { readonly: true, fileMustExist: true });
      try {
        const rows = store.prepare("SELECT id, comment FROM violation WHERE comment LIKE 'soak %'").all() as Array<{
          id: number;
          comment: string;
        }>;
        expect(resolved.size).toBeGreaterThan(SECONDS * 10);
        expect(new Map(rows.map((row) => [row.id, row.comment]))).toEqual(resolved);
        // Every delivered file exactly once.
        const processed = store
          .prepare("SELECT count(*) AS n, count(DISTINCT key) AS keys FROM processed_file WHERE source LIKE 'file:%'")
          .get() as { n: number; keys: number };
        expect(processed).toEqual({ n: delivered, keys: delivered });
      } finally {
        store.close();
      }

      // Memory stays flat.
      const flat = (warm: number, late: number) => late <= Math.max(warm * FLAT_BOUND.ratio, warm + FLAT_BOUND.mb);
      expect({ server: [serverWarm, serverLast], flat: flat(serverWarm, serverLast) }).toMatchObject({ flat: true });
      expect({ ingest: [ingestWarm, ingestLast], flat: flat(ingestWarm, ingestLast) }).toMatchObject({ flat: true });
    },
    SECONDS * 1000 + 45_000,
  );
});
