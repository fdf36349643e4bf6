#!/usr/bin/env node
// Resolves 1,000 violations end to end, as whole commands from start to exit, in the same run:
//   A) `fullstop resolve-violations` (it finds the server's batch endpoint, POST /api/violations/resolutions, and
//      resolves in chunks of 250 ids; against a server without it, one request per violation, 8 at a time),
//   B) one request at a time as the original client does (bench/resolve/one-at-a-time.py: python3 with requests,
//      no session, a new connection per request, as fullstop-cli uses it).
// The two alternate, run by run, and every violation is re-opened before each command. Prints the medians of
// --runs runs each, the ratio, and the CPU time each side spent (Linux /proc): the command's own process tree,
// and the server process that answers both. Raw figures go to bench/results/resolve.json.
// Usage: npm run build && node bench/resolve/run.mjs [--runs 5] [--count 1000]
import { spawn } from 'node:child_process';
import { startServer } from '../lib/start-server.mjs';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const { values: opts } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, count: { type: 'string', default: '1000' } },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'fullstop-bench-resolve-'));
const dbPath = join(dir, 'resolve.db');
const ACCOUNT = '123456789012';
const TOKEN = 'bench-token';
const count = Number(opts.count);

const { openStore } = await import(`${root}dist/src/server/store/open-store.js`);
const store = await openStore(`sqlite:${dbPath}`);
await store.insertViolations(
  Array.from({ length: count }, (_, i) => ({
    eventId: `e${i}`,
    accountId: ACCOUNT,
    region: 'eu-west-1',
    type: 'WRONG_REGION',
    instanceId: `i-${i}`,
  })),
);
await store.close();
writeFileSync(join(dir, 'server.yaml'), `auth:\n  tokens:\n    - { token: ${TOKEN}, uid: bench, accounts: "*" }\n`);

const started = startServer({
  bin: `${root}dist/bin/fullstop.js`,
  args: ['--db', `sqlite:${dbPath}`, '--config', join(dir, 'server.yaml')],
});
const { server } = started;
const url = await started.url;

const db = new Database(dbPath);
const reopen = () => db.prepare('UPDATE violation SET comment = NULL').run();
const openCount = () => db.prepare('SELECT COUNT(*) FROM violation WHERE comment IS NULL').pluck().get();
const cliEnv = {
  ...process.env,
  FULLSTOP_URL: url,
  FULLSTOP_TOKEN: TOKEN,
  FULLSTOP_CONFIG_DIR: join(dir, 'cli'),
  NO_COLOR: '1',
};

// CPU seconds from /proc/PID/stat (utime + stime, or with `children` the reaped children's cutime + cstime).
const TICKS_PER_SECOND = 100;
function cpuMs(pid, children = false) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ');
  const [user, system] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
  return ((Number(user) + Number(system)) * 1000) / TICKS_PER_SECOND;
}

// Asynchronous on purpose: a blocking spawnSync would stop this process from draining the server's log pipe.
async function timed([command, args]) {
  reopen();
  const [clientBefore, serverBefore] = [cpuMs('self', true), cpuMs(server.pid)];
  const started = performance.now();
  const child = spawn(command, args, { env: cliEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const status = await new Promise((resolve) => child.on('exit', resolve));
  const ms = performance.now() - started;
  if (status !== 0 || openCount() !== 0) throw new Error(`${command} ${args.join(' ')} failed (${status}): ${stderr}`);
  return { ms, clientCpuMs: cpuMs('self', true) - clientBefore, serverCpuMs: cpuMs(server.pid) - serverBefore };
}

const commands = {
  'fullstop resolve-violations': [
    process.execPath,
    [
      `${root}dist/bin/fullstop.js`,
      'resolve-violations',
      '--accounts',
      ACCOUNT,
      '-l',
      String(count),
      '--since',
      '30d',
      '--yes',
      'bench',
    ],
  ],
  'one request at a time (original client, Python requests)': [
    'python3',
    [`${root}bench/resolve/one-at-a-time.py`, url, TOKEN, ACCOUNT, 'bench'],
  ],
};
const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
const cpu = Object.fromEntries(Object.keys(commands).map((name) => [name, { client: [], server: [] }]));
for (let run = 0; run < Number(opts.runs); run++) {
  for (const [name, args] of Object.entries(commands)) {
    const { ms, clientCpuMs, serverCpuMs } = await timed(args);
    times[name].push(ms);
    cpu[name].client.push(clientCpuMs);
    cpu[name].server.push(serverCpuMs);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const [ours, original] = Object.keys(commands).map((name) => median(times[name]));
const ms = (value) => `${value.toFixed(0).padStart(6)} ms`;
console.log(`resolve ${count} violations, median of ${opts.runs} runs each, whole command from start to exit:`);
console.log(
  `  ${'command'.padEnd(58)} ${'wall'.padStart(9)} ${'range'.padStart(15)} ${'client cpu'.padStart(10)} ${'server cpu'.padStart(10)}`,
);
for (const name of Object.keys(commands)) {
  const range = `${Math.min(...times[name]).toFixed(0)}–${Math.max(...times[name]).toFixed(0)}`;
  console.log(
    `  ${name.padEnd(58)} ${ms(median(times[name]))} ${range.padStart(15)} ${ms(median(cpu[name].client)).padStart(10)} ${ms(median(cpu[name].server)).padStart(10)}`,
  );
}
console.log(`  ratio: fullstop resolve-violations is ${(original / ours).toFixed(1)} × faster`);

db.close();
server.kill('SIGTERM');
await new Promise((resolve) => server.on('exit', resolve));
rmSync(dir, { recursive: true, force: true });
mkdirSync(`${root}bench/results`, { recursive: true });
const summary = Object.fromEntries(
  Object.keys(commands).map((name) => [
    name,
    {
      wallMs: median(times[name]),
      clientCpuMs: median(cpu[name].client),
      serverCpuMs: median(cpu[name].server),
    },
  ]),
);
writeFileSync(
  `${root}bench/results/resolve.json`,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      loadAverageAtEnd: loadavg(),
      count,
      runs: Number(opts.runs),
      commands: Object.fromEntries(
        Object.entries(commands).map(([name, [cmd, args]]) => [
          name,
          [cmd === process.execPath ? 'node' : cmd, ...args].join(' ').replaceAll(root, '').replaceAll(url, 'URL'),
        ]),
      ),
      medians: summary,
      ratio: original / ours,
      times,
      cpu,
    },
    null,
    2,
  )}\n`,
);
