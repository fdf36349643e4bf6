#!/usr/bin/env node
// API benchmark: the built `fullstop server` over a store of 1,000,000 violations (scripts/seed-violations.mjs),
// hit by autocannon. GET /health runs first in every round as the baseline (the framework's floor), so each
// round compares baseline and subjects under the same machine load; the summary gives medians and spreads.
// Usage: npm run build && node bench/api/run.mjs [--db sqlite:PATH] [--count N] [--duration S] [--connections C] [--runs R]
//        [--server PATH/TO/fullstop.js] (another build, e.g. an older commit's, to compare under the same conditions)
//        [--postgres] (the store in PostgreSQL: FULLSTOP_BENCH_PG_URL, default the local server's schema fullstop_bench,
//        dropped and seeded when --reseed is given or it holds no violations; results in bench/results/api-postgres.json)
import { spawn } from 'node:child_process';
import { startServer } from '../lib/start-server.mjs';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const { values: opts } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite:/tmp/fullstop-bench/api.db' },
    count: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    runs: { type: 'string', default: '3' },
    server: { type: 'string', default: 'dist/bin/fullstop.js' },
    reseed: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
  },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const PG_URL =
  process.env.FULLSTOP_BENCH_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dfullstop_bench';
const db = opts.postgres ? PG_URL : opts.db;
const postgres = /^postgres(?:ql)?:\/\//i.test(db);
const dbPath = postgres ? '/tmp/fullstop-bench/postgres' : db.slice('sqlite:'.length);
const TOKEN = 'bench-token';
const duration = Number(opts.duration);
const connections = Number(opts.connections);
const runs = Number(opts.runs);

function runNode(args, options = {}) {
  return spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

/** How many violations the PostgreSQL store holds, or 0 when it does not exist yet. */
async function postgresCount() {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: db });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) FROM violation')).rows[0].count);
  } catch {
    return 0;
  } finally {
    await client.end();
  }
}

mkdirSync(dbPath.replace(/\/[^/]*$/, ''), { recursive: true });
if (opts.reseed || (postgres ? (await postgresCount()) === 0 : !existsSync(dbPath))) {
  await new Promise((resolve, reject) =>
    runNode(['scripts/seed-violations.mjs', db, opts.count], { stdio: 'inherit' }).on('exit', (c) =>
      c === 0 ? resolve() : reject(new Error(`seed exited ${c}`)),
    ),
  );
}

const config = `${dbPath}.server.yaml`;
writeFileSync(config, `auth:\n  tokens:\n    - { token: ${TOKEN}, uid: bench, accounts: "*", teams: [stups] }\n`);
// Request logging stays on (info, one access-log line per request), as in production; the log is read and dropped.
const started = startServer({ bin: opts.server, args: ['--db', db, '--config', config], cwd: root });
const { server } = started;
const url = await started.url;

const headers = { authorization: `Bearer ${TOKEN}` };
const getJson = async (path) => (await fetch(`${url}${path}`, { headers })).json();
const first = (await getJson('/api/violations?size=1&sort=id,DESC')).content[0];
const account = first.account_id;
const type = first.violation_type.id;
// Every account and type pair with open violations: the "many users, each their own account" mix.
const pairs = (await getJson('/api/violation-count'))
  .filter((c) => c.quantity >= 50)
  .map((c) => `accounts=${c.account}&type=${c.type}`);
const randomPair = () => pairs[Math.floor(Math.random() * pairs.length)];

const LIST = '/api/violations?size=50&sort=id,DESC';
const scenarios = [
  { title: 'GET /health (baseline)', path: '/health' },
  { title: `GET ${LIST} (open, newest first)`, path: LIST, list: true },
  { title: '… &accounts=<one>&type=<one>', path: `${LIST}&accounts=${account}&type=${type}`, list: true },
  {
    title: `… a random account and type each request (${pairs.length} pairs)`,
    path: `${LIST}&${randomPair()}`,
    setupRequest: (req) => ({ ...req, path: `${LIST}&${randomPair()}` }),
  },
];
let nextId = 1;
const resolution = {
  title: 'POST /api/violations/{id}/resolution',
  method: 'POST',
  body: 'bench resolution',
  setupRequest: (req) => ({ ...req, path: `/api/violations/${nextId++}/resolution` }),
};

// A benchmark of empty pages would measure nothing: each list scenario must answer a full page.
for (const s of scenarios.filter((s) => s.path.startsWith('/api/'))) {
  const page = await getJson(s.path);
  if (page.number_of_elements !== 50) throw new Error(`${s.path} answered ${page.number_of_elements} elements, not 50`);
}
const bytes = (await (await fetch(`${url}${LIST}`, { headers })).arrayBuffer()).byteLength;

async function measure({ title, path = '/', setupRequest, method, body }) {
  const request = setupRequest ? { setupRequest, ...(method ? { method, body } : {}) } : undefined;
  const result = await autocannon({
    url: `${url}${path}`,
    connections,
    duration,
    headers,
    ...(request ? { requests: [request] } : {}),
  });
  const row = {
    scenario: title,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    req_per_s: Math.round(result.requests.average),
    errors: result.errors + result.non2xx,
  };
  console.log(
    `  ${title.padEnd(66)} p50 ${String(row.p50_ms).padStart(3)} ms  p99 ${String(row.p99_ms).padStart(3)} ms  ${String(row.req_per_s).padStart(6)} req/s  errors ${row.errors}`,
  );
  return row;
}

console.log(
  `fullstop API benchmark: ${opts.server} at ${url}, ${connections} connections, ${duration} s per scenario, ${runs} rounds, db ${postgres ? db : dbPath}, ${bytes} bytes per page of 50`,
);
const rounds = [];
for (let round = 1; round <= runs; round++) {
  console.log(`round ${round}`);
  const rows = [];
  for (const scenario of scenarios) rows.push(await measure(scenario));
  rounds.push(rows);
}
// Writes last: they drop the server's count cache, which the read scenarios above should not pay for mid-run.
const writes = await measure(resolution);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const summary = scenarios.map((s, i) => {
  const rows = rounds.map((r) => r[i]);
  const rps = rows.map((r) => r.req_per_s);
  const p99 = rows.map((r) => r.p99_ms);
  return {
    scenario: s.title,
    req_per_s_median: median(rps),
    req_per_s_min: Math.min(...rps),
    req_per_s_max: Math.max(...rps),
    p99_ms_median: median(p99),
    p99_ms_min: Math.min(...p99),
    p99_ms_max: Math.max(...p99),
    ratio_to_baseline_median: median(rounds.map((r) => r[i].req_per_s / r[0].req_per_s)),
  };
});
console.log(`summary over ${runs} rounds (median, [min–max]):`);
for (const s of summary) {
  const ratio = s.ratio_to_baseline_median === 1 ? '' : `  ${s.ratio_to_baseline_median.toFixed(2)} × baseline`;
  console.log(
    `  ${s.scenario.padEnd(66)} ${String(s.req_per_s_median).padStart(6)} req/s [${s.req_per_s_min}–${s.req_per_s_max}]  p99 ${s.p99_ms_median} ms [${s.p99_ms_min}–${s.p99_ms_max}]${ratio}`,
  );
}
const targets = summary
  .filter((_, i) => scenarios[i].list)
  .map((s) => `${s.scenario}: ${s.req_per_s_median > 2000 && s.p99_ms_median < 25 ? 'met' : 'NOT met'}`);
console.log(`target (p99 < 25 ms and > 2,000 req/s, medians): ${targets.join('; ')}`);

server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
mkdirSync(`${root}bench/results`, { recursive: true });
const resultFile = `${opts.server === 'dist/bin/fullstop.js' ? 'api' : 'api-other-server'}${postgres ? '-postgres' : ''}.json`;
const store = postgres ? 'postgres' : 'sqlite';
writeFileSync(
  `${root}bench/results/${resultFile}`,
  `${JSON.stringify({ date: new Date().toISOString(), server: opts.server, store, connections, duration, runs, bytes_per_page: bytes, summary, rounds, writes }, null, 2)}\n`,
);
