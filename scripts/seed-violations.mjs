#!/usr/bin/env node
// Fills a store with synthetic violations for the API benchmarks: N violations (default 1,000,000) across 50
// accounts, 8 regions and the 31 original types, every fifth one resolved. It writes through the store's own insert
// path (commitFile, 10,000 drafts per transaction), so it also measures bulk insertion.
// SQLite: the file is deleted first. PostgreSQL: the URL's schema (its search_path, e.g.
// postgres://postgres@127.0.0.1:5432/test?options=-c%20search_path%3Dfullstop_bench) is dropped first; the
// default `public` schema is refused, so that a real store is never dropped by a benchmark.
// Usage: node scripts/seed-violations.mjs sqlite:/tmp/bench.db|postgres://… [count]   (needs `npm run build` first)
import { rmSync } from 'node:fs';

const [url = 'sqlite:/tmp/fullstop-bench/api.db', countArg = '1000000'] = process.argv.slice(2);
const count = Number(countArg);
const postgres = /^postgres(?:ql)?:\/\//i.test(url);
if ((!url.startsWith('sqlite:') && !postgres) || !Number.isInteger(count) || count < 1) {
  console.error('usage: node scripts/seed-violations.mjs sqlite:PATH|postgres://URL [count]');
  process.exit(2);
}

/** Runs `fn` with a plain pg client on `url`. */
async function withPg(fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

if (postgres) {
  const schema = new URL(url).searchParams.get('options')?.match(/search_path\s*=\s*([\w$]+)/)?.[1];
  if (schema === undefined || schema === 'public') {
    console.error('seed-violations: give PostgreSQL a schema of its own: ?options=-c%20search_path%3Dfullstop_bench');
    process.exit(2);
  }
  await withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
} else {
  const path = url.slice('sqlite:'.length);
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

const { openStore } = await import('../dist/src/server/store/open-store.js');
const store = await openStore(url);
// The 31 types of the original catalogue (the seeded CLOUDTRAIL_TAMPERING is this project's addition).
const ids = (await store.listViolationTypes()).map((t) => t.id).filter((id) => id !== 'CLOUDTRAIL_TAMPERING');
const accounts = Array.from({ length: 50 }, (_, i) => String(100000000000 + i * 7919));
const regions = [
  'eu-west-1',
  'eu-central-1',
  'us-east-1',
  'us-west-2',
  'ap-southeast-1',
  'ap-northeast-1',
  'sa-east-1',
  'ca-central-1',
];

const started = performance.now();
const BATCH = 10_000;
for (let offset = 0; offset < count; offset += BATCH) {
  const drafts = [];
  for (let i = offset; i < Math.min(offset + BATCH, count); i++) {
    drafts.push({
      eventId: `evt-${i}`,
      accountId: accounts[i % accounts.length],
      region: regions[(i >> 3) % regions.length],
      type: ids[(i * 7) % ids.length],
      instanceId: `i-${((i * 2654435761) % 4294967296).toString(16).padStart(8, '0')}`,
      metaInfo: {
        ami_name: `taupage-${i % 97}`,
        ami_id: `ami-${i % 1000}`,
        user_name: i % 13 === 0 ? 'ses.ci-master-1' : 'someone',
      },
      username: `arn:aws:iam::${accounts[i % accounts.length]}:user/u${i % 200}`,
      applicationId: i % 3 === 0 ? `app-${i % 40}` : null,
      applicationVersion: i % 3 === 0 ? `1.${i % 9}` : null,
      pluginName: 'seed',
    });
  }
  await store.commitFile(
    { source: 'seed://', key: `batch-${offset}`, fingerprint: String(count), records: drafts.length, badRecords: 0 },
    drafts,
  );
}
const insertSeconds = (performance.now() - started) / 1000;
await store.close();

const RESOLVE = "UPDATE violation SET comment = 'resolved by seed', last_modified_by = 'seed' WHERE id % 5 = 0";
if (postgres) {
  await withPg(async (client) => {
    await client.query(RESOLVE);
    // Fresh statistics and visibility map: the plans and index-only scans of a store that autovacuum has seen.
    await client.query('VACUUM ANALYZE violation, violation_type, rule, app_version');
  });
} else {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(url.slice('sqlite:'.length));
  db.prepare(RESOLVE).run();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
}
console.error(
  `seeded ${count} violations into ${url} in ${insertSeconds.toFixed(1)} s (${Math.round(count / insertSeconds)} inserts/s through commitFile)`,
);
