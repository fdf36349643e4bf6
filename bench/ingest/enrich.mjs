#!/usr/bin/env node
// Ingest with enrichment (hyperfine): logs heavy in RunInstances (--run-instances 0.8 of the records), every
// launched instance looked up (its AMI, its Taupage user data, the application in Kio and its image in Pier One)
// against the demo stand-ins (scripts/demo-stand-ins.mjs, a process of their own) answering every look-up after
// 20 ms. Runs `fullstop ingest` with enrichment on one thread (--workers 0) and with a worker per core, and,
// for comparison, without enrichment. Prints RunInstances events per second (wall clock, median of the runs) and
// per CPU second of the ingest process (user + system, every thread: what it costs, whatever else ran beside it),
// and writes them with hyperfine's raw results to bench/results/ingest-enrichment.json.
//
//   npm run build && node bench/ingest/enrich.mjs [--records 200000] [--runs 3] [--delay-ms 20]
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '3' },
    'delay-ms': { type: 'string', default: '20' },
  },
});
const records = Number(args.records);
const data = join(root, 'bench/.data', `enrich-${records}`);
const db = join(root, 'bench/.data/enrich-bench.db');
const config = join(root, 'bench/.data/enrich-bench.yaml');
const bin = join(root, 'dist/bin/fullstop.js');
mkdirSync(join(root, 'bench/results'), { recursive: true });

if (!existsSync(join(data, '.manifest.json'))) {
  rmSync(data, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [
      join(root, 'scripts/generate-cloudtrail.mjs'),
      ...['--out', data, '--records', String(records), '--run-instances', '0.8', '--seed', '2025'],
    ],
    { stdio: 'inherit' },
  );
}
const manifest = JSON.parse(readFileSync(join(data, '.manifest.json'), 'utf8'));

// The stand-ins in a process of their own: hyperfine blocks this one's event loop.
const standIns = spawn(
  process.execPath,
  [
    join(root, 'scripts/demo-stand-ins.mjs'),
    ...['--accounts', manifest.accounts.join(','), '--delay-ms', args['delay-ms'], '--config-out', config],
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const { env: awsEnv } = JSON.parse(
  await new Promise((resolve, reject) => {
    createInterface({ input: standIns.stdout }).once('line', resolve);
    standIns.once('exit', (code) => reject(new Error(`the stand-ins exited with ${code}`)));
  }),
);
// Enough look-ups in flight for the latency: 5,000 a second at 20 ms each is 100 at any moment.
appendFileSync(config, '  concurrency: 256\n');

const env = { ...process.env, ...awsEnv };
const clean = `rm -f ${db} ${db}-wal ${db}-shm`;
const ingest = (extra) => `${process.execPath} ${bin} ingest ${data} --db sqlite:${db} --retry-wait 0 ${extra}`;
const commands = [
  ['enrichment, 1 thread', ingest(`--config ${config} --workers 0`)],
  [`enrichment, ${availableParallelism()} workers`, ingest(`--config ${config}`)],
  ['no enrichment, 1 thread', ingest('--workers 0')],
];
const raw = join(root, 'bench/.data/enrich-hyperfine.json');
const loadBefore = loadavg()[0];
try {
  execFileSync(
    'hyperfine',
    [
      ...['--warmup', '1', '--runs', args.runs, '--prepare', clean, '--export-json', raw],
      ...commands.flatMap(([name, command]) => ['-n', name, command]),
    ],
    { stdio: 'inherit', env },
  );
} finally {
  standIns.kill('SIGTERM');
}

// The RunInstances events: every launched instance's record (the violating kinds launch some too).
const launches = Number(
  execFileSync(process.execPath, [join(root, 'bench/ingest/count-launches.mjs'), data]).toString(),
);
const timings = JSON.parse(readFileSync(raw, 'utf8')).results;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const figures = timings.map((t) => ({
  events_per_s: { median: launches / median(t.times), fastest: launches / Math.min(...t.times) },
  cpu_s_per_run: t.user + t.system,
  events_per_cpu_s: launches / (t.user + t.system),
}));
process.stdout.write(
  `\n${manifest.records.toLocaleString('en-US')} records, ${launches.toLocaleString('en-US')} RunInstances events, look-ups answered after ${args['delay-ms']} ms\n`,
);
commands.forEach(([name], i) =>
  process.stdout.write(
    `${name.padEnd(28)} ${Math.round(figures[i].events_per_s.median).toLocaleString('en-US').padStart(8)} events/s median, ${Math.round(figures[i].events_per_s.fastest).toLocaleString('en-US').padStart(8)} fastest, ${Math.round(figures[i].events_per_cpu_s).toLocaleString('en-US').padStart(8)} per CPU s\n`,
  ),
);
process.stdout.write('target: >= 5,000 RunInstances events/s with enrichment\n');
const out = join(root, 'bench/results/ingest-enrichment.json');
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
      load_average_1m: { before: loadBefore, after: loadavg()[0] },
      data: { records: manifest.records, files: manifest.files, run_instances: launches, seed: 2025 },
      delay_ms: Number(args['delay-ms']),
      runs: Number(args.runs),
      commands: Object.fromEntries(commands.map(([name], i) => [name, figures[i]])),
      hyperfine: timings,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`raw results: ${out}\n`);
for (const file of [raw, config, db, `${db}-wal`, `${db}-shm`]) rmSync(file, { force: true });
