#!/usr/bin/env node
// Server replicas sharing an ingest, in one run: `fullstop server --ingest DIR` (the built binary, one worker
// thread each, as shipped) into a fresh store, timed by the wall clock from spawning the servers until every file
// is committed (the store polled every 50 ms). Scenarios, interleaved round by round so that load from elsewhere
// falls on all of them alike:
//   - one replica on SQLite and one on PostgreSQL, same data: what the store costs a replica;
//   - two replicas on PostgreSQL, sharing the folder through claims in the store: the target is >= 1.6 x one.
// Beside records/s it reports the CPU seconds of the server processes (every thread) and of their PostgreSQL
// backends (read from /proc before the servers stop), and the machine's load. Writes bench/results/ingest-replicas.json.
//
// The folder makes a replica CPU-bound, the worst case for sharing work on two cores. `--source s3` serves the same
// files from an S3 bucket instead (s3rver, in this process, behind a proxy adding `--latency-ms`, default 20, to
// every request as the trip to S3 would), where a replica waits on its GETs as it does in production; results in
// bench/results/ingest-replicas-s3.json, with this process's CPU (s3rver and the proxy) beside the servers'.
//
//   npm run build && node bench/ingest/replicas.mjs [--records 500000] [--runs 3] [--source local|s3] [--latency-ms 20]
//   FULLSTOP_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test); the store lives in schema
//   fullstop_bench_ingest, dropped before each run.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import pg from 'pg';
import { BUCKET, CREDENTIALS, startS3Source } from './s3-source.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '500000' },
    runs: { type: 'string', default: '3' },
    source: { type: 'string', default: 'local' },
    'latency-ms': { type: 'string', default: '20' },
  },
});
if (args.source !== 'local' && args.source !== 's3') throw new Error('--source must be local or s3');
const records = Number(args.records);
const data = join(root, 'bench/.data', `ingest-${records}`);
const work = join(root, 'bench/.data/replicas');
const bin = join(root, 'dist/bin/fullstop.js');
const SCHEMA = 'fullstop_bench_ingest';
const pgBase = process.env.FULLSTOP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
const pgUrl = `${pgBase}${pgBase.includes('?') ? '&' : '?'}options=-c%20search_path%3D${SCHEMA}`;
const TICKS = 100; // clock ticks per second in /proc/PID/stat (USER_HZ)

if (!existsSync(join(data, '.manifest.json'))) {
  rmSync(data, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'scripts/generate-cloudtrail.mjs'), '--out', data, '--records', String(records), '--seed', '2024'],
    { stdio: 'inherit' },
  );
}
const manifest = JSON.parse(readFileSync(join(data, '.manifest.json'), 'utf8'));
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'server.yaml'), 'ingest:\n  poll_interval_seconds: 60\n');
const latencyMs = Number(args['latency-ms']);
const s3 =
  args.source === 's3'
    ? await startS3Source({ data, directory: join(root, 'bench/.data', `s3rver-${records}`), latencyMs })
    : undefined;
const ingestArg = s3 === undefined ? data : `s3://${BUCKET}`;
const ingestEnv =
  s3 === undefined
    ? process.env
    : {
        ...process.env,
        FULLSTOP_S3_ENDPOINT: s3.endpoint,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      };

/** CPU seconds (user + system, all threads) of a live process, or 0 once it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

async function freshStore(store) {
  if (store === 'sqlite') {
    const db = join(work, 'replicas.db');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
    return `sqlite:${db}`;
  }
  const client = new pg.Client({ connectionString: pgBase });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await client.end();
  return pgUrl;
}

/** Committed files so far, read the way an operator would. */
function committedCounter(store, url) {
  if (store === 'sqlite') {
    let db;
    return {
      async count() {
        if (db === undefined) {
          if (!existsSync(url.slice('sqlite:'.length))) return 0;
          db = new Database(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
        }
        try {
          return db.prepare('SELECT count(*) AS n FROM processed_file').get().n;
        } catch {
          return 0; // not migrated yet
        }
      },
      async backendPids() {
        return [];
      },
      close: async () => db?.close(),
    };
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  return {
    async count() {
      return Number((await pool.query('SELECT count(*) AS n FROM processed_file')).rows[0].n);
    },
    async backendPids() {
      const { rows } = await pool.query("SELECT pid FROM pg_stat_activity WHERE application_name = 'fullstop'");
      return rows.map((row) => row.pid);
    },
    close: () => pool.end(),
  };
}

function startReplica(url) {
  const child = spawn(
    process.execPath,
    [
      bin,
      'server',
      '--no-auth',
      '--port',
      '0',
      '--db',
      url,
      '--config',
      join(work, 'server.yaml'),
      '--ingest',
      ingestArg,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: ingestEnv },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, exited };
}

async function scenario(store, replicas) {
  const url = await freshStore(store);
  // Migrations before the clock starts: replicas of a deployed store find it migrated.
  execFileSync(process.execPath, [bin, 'migrate', '--db', url], { stdio: 'ignore' });
  const counter = committedCounter(store, url);
  const started = process.hrtime.bigint();
  const ownCpu = process.cpuUsage();
  const servers = Array.from({ length: replicas }, () => startReplica(url));
  let backends = new Map();
  try {
    for (;;) {
      if ((await counter.count()) >= manifest.files) break;
      for (const pid of await counter.backendPids()) backends.set(pid, cpuSeconds(pid));
      await sleep(50);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    for (const pid of backends.keys()) backends.set(pid, cpuSeconds(pid) || backends.get(pid));
    const serverCpu = servers.reduce((sum, { child }) => sum + cpuSeconds(child.pid), 0);
    const backendCpu = [...backends.values()].reduce((sum, s) => sum + s, 0);
    return {
      seconds,
      records_per_s: manifest.records / seconds,
      server_cpu_s: serverCpu,
      pg_backend_cpu_s: backendCpu,
      // This process: the store polling, and with --source s3 the S3 stand-in and its proxy.
      bench_process_cpu_s: (process.cpuUsage(ownCpu).user + process.cpuUsage(ownCpu).system) / 1e6,
    };
  } finally {
    for (const { child } of servers) child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited));
    await counter.close();
  }
}

const scenarios = [
  ['sqlite, 1 replica', 'sqlite', 1],
  ['postgres, 1 replica', 'postgres', 1],
  ['postgres, 2 replicas', 'postgres', 2],
];
const load = { before: loadavg()[0] };
const rounds = [];
for (let round = 0; round < Number(args.runs); round++) {
  const results = {};
  for (const [name, store, replicas] of scenarios) {
    results[name] = await scenario(store, replicas);
    const r = results[name];
    process.stdout.write(
      `round ${round + 1}  ${name.padEnd(22)} ${Math.round(r.records_per_s).toLocaleString('en-US').padStart(8)} records/s` +
        `  ${r.seconds.toFixed(2)} s  CPU: servers ${r.server_cpu_s.toFixed(2)} s, PostgreSQL ${r.pg_backend_cpu_s.toFixed(2)} s, bench ${r.bench_process_cpu_s.toFixed(2)} s  (load ${loadavg()[0].toFixed(1)})\n`,
    );
  }
  rounds.push(results);
}
load.after = loadavg()[0];
await s3?.close();

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return sorted.length % 2 === 1 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const summary = Object.fromEntries(
  scenarios.map(([name]) => {
    const runs = rounds.map((round) => round[name]);
    return [
      name,
      {
        records_per_s: {
          median: median(runs.map((r) => r.records_per_s)),
          slowest: Math.min(...runs.map((r) => r.records_per_s)),
          fastest: Math.max(...runs.map((r) => r.records_per_s)),
        },
        cpu_s: {
          servers: median(runs.map((r) => r.server_cpu_s)),
          postgres_backends: median(runs.map((r) => r.pg_backend_cpu_s)),
          bench_process: median(runs.map((r) => r.bench_process_cpu_s)),
        },
      },
    ];
  }),
);
const rate = (name) => summary[name].records_per_s;
const ratios = {
  two_replicas_to_one_postgres: {
    median: rate('postgres, 2 replicas').median / rate('postgres, 1 replica').median,
    fastest: rate('postgres, 2 replicas').fastest / rate('postgres, 1 replica').fastest,
    // Per round: both scenarios of a round ran under the same outside load.
    per_round: rounds.map((r) => r['postgres, 2 replicas'].records_per_s / r['postgres, 1 replica'].records_per_s),
  },
  postgres_to_sqlite_one_replica: {
    median: rate('postgres, 1 replica').median / rate('sqlite, 1 replica').median,
    per_round: rounds.map((r) => r['postgres, 1 replica'].records_per_s / r['sqlite, 1 replica'].records_per_s),
  },
};
process.stdout.write(
  `\ntwo replicas / one (PostgreSQL): ${ratios.two_replicas_to_one_postgres.median.toFixed(2)} x median, ` +
    `${ratios.two_replicas_to_one_postgres.fastest.toFixed(2)} x fastest, per round ${ratios.two_replicas_to_one_postgres.per_round.map((x) => x.toFixed(2)).join(' / ')} (target >= 1.6 x)\n` +
    `PostgreSQL / SQLite, one replica: ${ratios.postgres_to_sqlite_one_replica.median.toFixed(2)} x median\n`,
);
const out = join(root, `bench/results/ingest-replicas${s3 === undefined ? '' : '-s3'}.json`);
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
      load_average_1m: load,
      data: { records: manifest.records, files: manifest.files, violations: manifest.violationsTotal, seed: 2024 },
      source:
        s3 === undefined
          ? 'local folder (each replica lists it; claims in the store split it)'
          : `S3 bucket (s3rver in the bench process, ${latencyMs} ms added to every request; each replica lists it; claims in the store split it)`,
      runs: Number(args.runs),
      summary,
      ratios,
      rounds,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`raw results: ${out}\n`);
