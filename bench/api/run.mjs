#!/usr/bin/env node
// API benchmark: the built `fullstop server` over a store of 1,000,000 violations (scripts/seed-violations.mjs),
// hit by autocannon. GET /health runs first in the same run as the baseline (the framework's floor).
// Usage: npm run build && node bench/api/run.mjs [--db sqlite:PATH] [--count N] [--duration S] [--connections C]
import { spawn } from 'node:child_process';
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
    reseed: { type: 'boolean', default: false },
  },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const dbPath = opts.db.slice('sqlite:'.length);
const TOKEN = 'bench-token';
const duration = Number(opts.duration);
const connections = Number(opts.connections);

function runNode(args, options = {}) {
  return spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], ...options });
}

if (opts.reseed || !existsSync(dbPath)) {
  mkdirSync(dbPath.replace(/\/[^/]*$/, ''), { recursive: true });
  await new Promise((resolve, reject) => runNode(['scripts/seed-violations.mjs', opts.db, opts.count], { stdio: 'inherit' }).on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`seed exited ${c}`)))));
}

const config = `${dbPath}.server.yaml`;
writeFileSync(config, `auth:\n  tokens:\n    - { token: ${TOKEN}, uid: bench, accounts: "*", teams: [stups] }\n`);
// Request logging stays on (info), as in production; the log is read and dropped.
const server = runNode(['dist/bin/fullstop.js', 'server', '--port', '0', '--db', opts.db, '--config', config]);
const url = await new Promise((resolve, reject) => {
  server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  let buffer = '';
  server.stdout.on('data', (chunk) => {
    buffer += chunk;
    const match = /"url":"(http:[^"]+)"/.exec(buffer);
    if (match) resolve(match[1]);
    if (buffer.length > 65536) buffer = '';
  });
});

const headers = { authorization: `Bearer ${TOKEN}` };
const first = (await (await fetch(`${url}/api/violations?size=1&sort=id,DESC`, { headers })).json()).content[0];
const account = first.account_id;
const type = first.violation_type.id;

async function measure(title, { path = '/', ...options }) {
  const result = await autocannon({ url: `${url}${path}`, connections, duration, headers, ...options });
  const row = {
    scenario: title,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    req_per_s: Math.round(result.requests.average),
    errors: result.errors + result.non2xx,
  };
  console.log(`${title.padEnd(58)} p50 ${String(row.p50_ms).padStart(4)} ms  p99 ${String(row.p99_ms).padStart(4)} ms  ${String(row.req_per_s).padStart(6)} req/s  errors ${row.errors}`);
  return row;
}

console.log(`fullstop API benchmark: ${url}, ${connections} connections, ${duration} s per scenario, db ${dbPath}`);
const rows = [];
rows.push(await measure('GET /health (baseline)', { path: '/health' }));
rows.push(await measure('GET /api/violations?size=50&sort=id,DESC', { path: '/api/violations?size=50&sort=id,DESC' }));
rows.push(await measure(`… &accounts=<one>&type=<one>`, { path: `/api/violations?size=50&sort=id,DESC&accounts=${account}&type=${type}` }));
let nextId = 1;
rows.push(
  await measure('POST /api/violations/{id}/resolution', {
    requests: [{ method: 'POST', body: 'bench resolution', setupRequest: (req) => ({ ...req, path: `/api/violations/${nextId++}/resolution` }) }],
  }),
);
const baseline = rows[0].req_per_s;
for (const row of rows.slice(1)) console.log(`${row.scenario}: ${(row.req_per_s / baseline).toFixed(2)} × the baseline's throughput`);

server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
mkdirSync(`${root}bench/results`, { recursive: true });
writeFileSync(`${root}bench/results/api.json`, `${JSON.stringify({ date: new Date().toISOString(), connections, duration, rows }, null, 2)}\n`);
