#!/usr/bin/env node
// Ingest benchmark, all in one run (hyperfine): the floor (gunzip + JSON.parse of the same files) and
// `fullstop ingest` of the same records into a fresh SQLite file, both pinned to one core with taskset, then
// `fullstop ingest` with worker threads on every core. Prints records/s (median of the runs, with the spread)
// and the ratios against the targets (one core: ingest >= 75 % of the floor; workers: >= 1.6 x one core),
// from the medians, from the fastest runs (the least disturbed by other processes on a shared machine) and from
// CPU time (records per CPU second: what a command costs, whatever else ran beside it). Writes hyperfine's raw
// results and these figures to bench/results/ingest.json.
//
//   npm run build && node bench/ingest/run.mjs [--records 500000] [--runs 3]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: args } = parseArgs({
  options: { records: { type: 'string', default: '500000' }, runs: { type: 'string', default: '3' } },
});
const records = Number(args.records);
const data = join(root, 'bench/.data', `ingest-${records}`);
const results = join(root, 'bench/results');
const db = join(root, 'bench/.data/ingest-bench.db');
const bin = join(root, 'dist/bin/fullstop.js');
mkdirSync(results, { recursive: true });

if (!existsSync(join(data, '.manifest.json'))) {
  rmSync(data, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'scripts/generate-cloudtrail.mjs'), '--out', data, '--records', String(records), '--seed', '2024'],
    { stdio: 'inherit' },
  );
}
const manifest = JSON.parse(readFileSync(join(data, '.manifest.json'), 'utf8'));

const node = process.execPath;
const clean = `rm -f ${db} ${db}-wal ${db}-shm`;
const commands = [
  ['floor (1 core)', `taskset -c 0 ${node} ${join(root, 'bench/ingest/floor.mjs')} ${data}`],
  ['ingest (1 core)', `taskset -c 0 ${node} ${bin} ingest ${data} --db sqlite:${db} --workers 0`],
  [`ingest (${availableParallelism()} cores, workers)`, `${node} ${bin} ingest ${data} --db sqlite:${db}`],
];
const out = join(results, 'ingest.json');
const raw = join(root, 'bench/.data/ingest-hyperfine.json');
const loadBefore = loadavg()[0];
execFileSync(
  'hyperfine',
  [
    '--warmup',
    '1',
    '--runs',
    args.runs,
    '--prepare',
    clean,
    '--export-json',
    raw,
    ...commands.flatMap(([name, command]) => ['-n', name, command]),
  ],
  { stdio: 'inherit' },
);

const timings = JSON.parse(readFileSync(raw, 'utf8')).results;
const rates = timings.map((t) => t.times.map((seconds) => manifest.records / seconds).sort((a, b) => a - b));
const median = (sorted) =>
  sorted.length % 2 === 1
    ? sorted[(sorted.length - 1) / 2]
    : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
const fmt = (value) => Math.round(value).toLocaleString('en-US').padStart(9);
process.stdout.write(
  `\n${manifest.records.toLocaleString('en-US')} records in ${manifest.files} files, ${manifest.violationsTotal} violations; records/s over ${args.runs} runs\n`,
);
// CPU seconds (user + system, all threads) tell how much work a command did, whatever else ran beside it.
process.stdout.write(
  `${''.padEnd(34)} ${'median'.padStart(9)} ${'slowest'.padStart(9)} ${'fastest'.padStart(9)}   CPU s/run\n`,
);
commands.forEach(([name], i) =>
  process.stdout.write(
    `${name.padEnd(34)} ${fmt(median(rates[i]))} ${fmt(rates[i][0])} ${fmt(rates[i].at(-1))}   ${(timings[i].user + timings[i].system).toFixed(2).padStart(9)}\n`,
  ),
);
const [floor, one, many] = rates.map(median);
const [floorBest, oneBest, manyBest] = rates.map((r) => r.at(-1));
// Records per CPU second (user + system of the whole process tree, every thread).
const [floorCpu, oneCpu] = timings.map((t) => manifest.records / (t.user + t.system));
process.stdout.write(
  `ingest / floor on one core:        ${((one / floor) * 100).toFixed(0)} % median, ${((oneBest / floorBest) * 100).toFixed(0)} % fastest, ${((oneCpu / floorCpu) * 100).toFixed(0)} % by CPU time (target >= 75 %)\n`,
);
process.stdout.write(
  `workers / one core:                ${(many / one).toFixed(2)} x median, ${(manyBest / oneBest).toFixed(2)} x fastest (target >= 1.6 x)\n`,
);
const figures = (i) => ({
  records_per_s: { median: median(rates[i]), slowest: rates[i][0], fastest: rates[i].at(-1) },
  cpu_s_per_run: timings[i].user + timings[i].system,
  records_per_cpu_s: manifest.records / (timings[i].user + timings[i].system),
});
writeFileSync(
  out,
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cores: availableParallelism(), cpu: cpus()[0]?.model, node: process.version },
      load_average_1m: { before: loadBefore, after: loadavg()[0] },
      data: { records: manifest.records, files: manifest.files, violations: manifest.violationsTotal, seed: 2024 },
      runs: Number(args.runs),
      commands: Object.fromEntries(commands.map(([name], i) => [name, figures(i)])),
      ratios: {
        ingest_to_floor_one_core: { median: one / floor, fastest: oneBest / floorBest, cpu_time: oneCpu / floorCpu },
        workers_to_one_core: { median: many / one, fastest: manyBest / oneBest },
      },
      hyperfine: timings,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(`raw results: ${out}\n`);
rmSync(raw, { force: true });
rmSync(db, { force: true });
rmSync(`${db}-wal`, { force: true });
rmSync(`${db}-shm`, { force: true });
