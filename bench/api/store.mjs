#!/usr/bin/env node
// Store-level cost of one list page (50 violations, newest first) over the API benchmark's store, in CPU time
// (process.cpuUsage, so that other processes on the machine disturb it less than wall time): the DTO path
// (rows → objects → JSON.stringify, what the route did before) against the JSON path (ids through the index,
// row JSON built by SQLite and cached per row), for one hot page and for a random account and type per page.
// Usage: npm run build && node bench/api/run.mjs --runs 1 (seeds the store once) && node bench/api/store.mjs [--db sqlite:PATH] [--pages N] [--rounds R]
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    db: { type: 'string', default: 'sqlite:/tmp/fullstop-bench/api.db' },
    pages: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
  },
});
const { openStore } = await import('../../dist/src/server/store/open-store.js');
const store = await openStore(opts.db);
const pages = Number(opts.pages);

const PAGE = { page: 0, size: 50, sort: [{ property: 'id', direction: 'DESC' }] };
const pairs = (await store.countByAccountAndType(undefined, {})).filter((c) => c.quantity >= 50);
const newest = (await store.listViolations({}, { ...PAGE, size: 1 })).content[0];
let next = 0;
const randomPair = () => {
  const pair = pairs[(next++ * 7919) % pairs.length];
  return { accounts: [pair.account], types: [pair.type], createdBefore: Date.now() };
};
const hotPair = () => ({ accounts: [newest.account_id], types: [newest.violation_type.id], createdBefore: Date.now() });
const open = () => ({ createdBefore: Date.now() });

const dto = async (filter) => JSON.stringify(await store.listViolations(filter, PAGE));
const json = async (filter) => Buffer.concat((await store.listViolationsJson(filter, PAGE)).json);
const scenarios = [
  ['open, newest first: DTO path', () => dto(open())],
  ['open, newest first: JSON path', () => json(open())],
  ['one account and type: DTO path', () => dto(hotPair())],
  ['one account and type: JSON path', () => json(hotPair())],
  [`random account and type (${pairs.length} pairs): DTO path`, () => dto(randomPair())],
  [`random account and type (${pairs.length} pairs): JSON path`, () => json(randomPair())],
];

async function cpuPerPage(fn) {
  const start = process.cpuUsage();
  for (let i = 0; i < pages; i++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / pages;
}

const samples = scenarios.map(() => []);
for (let round = 0; round < Number(opts.rounds); round++) {
  for (const [i, [, fn]] of scenarios.entries()) {
    await cpuPerPage(fn);
    samples[i].push(await cpuPerPage(fn));
  }
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`store CPU per page of 50 (${pages} pages × ${opts.rounds} rounds; median [min–max] µs)`);
for (const [i, [title]] of scenarios.entries()) {
  const m = median(samples[i]);
  const ratio = i % 2 === 1 ? `  ${(median(samples[i - 1]) / m).toFixed(1)} × less than the DTO path` : '';
  console.log(
    `  ${title.padEnd(58)} ${m.toFixed(0).padStart(5)} [${Math.min(...samples[i]).toFixed(0)}–${Math.max(...samples[i]).toFixed(0)}]${ratio}`,
  );
}
await store.close();
