/**
 * Every list and count query of the API is answered through an index, never by reading the whole violation
 * table: the statements the store really sends (captured from its pool) are explained on a seeded table, and a
 * sequential scan of `violation` anywhere in a plan fails the test.
 *
 * Why 100,000 rows stand for 1,000,000: the planner compares costs that grow with the table's pages and rows
 * alike, so the cheaper plan at 100,000 rows is the cheaper one at 1,000,000 (the same cases on the 1,000,000-row
 * benchmark store give the same plans; FULLSTOP_TEST_PLAN_ROWS=1000000 runs this test at that size). The table is
 * vacuumed and analysed first, as autovacuum keeps a real one: index-only scans need the visibility map. Plans use
 * the default planner settings: nothing is disabled to force an index.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import type { PostgresStore } from '../../src/server/store/postgres.js';
import type { ViolationFilter, PageRequest, CountFilter } from '../../src/server/model.js';
import { PG_SKIP_REASON, pgTitle, testSchema, type TestSchema } from './pg.js';
import { seedViolations, SEED_ACCOUNTS, SEED_REGIONS } from './pg-seed.js';

const ROWS = Number(process.env.FULLSTOP_TEST_PLAN_ROWS ?? 100_000);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function* nodes(plan: PlanNode): Generator<PlanNode> {
  yield plan;
  for (const child of plan.Plans ?? []) yield* nodes(child);
}

let schema: TestSchema;
let store: PostgresStore;

/** The statements `run` sends that read violations, each with the scans of `violation` in its plan. */
async function scansOf(run: () => Promise<unknown>): Promise<Array<{ sql: string; scans: string[] }>> {
  // Another writer's commit, as far as this store can tell: its cached totals no longer hold, so it counts again.
  await schema.query('DELETE FROM violation WHERE false');
  const spy = vi.spyOn(store.pool, 'query');
  await run();
  const sent = spy.mock.calls.map(([text, values]) => ({
    text: text as unknown as string,
    values: values as unknown[],
  }));
  spy.mockRestore();
  const result = [];
  for (const { text, values } of sent.filter((s) => /FROM violation\b/.test(s.text))) {
    const { rows } = await schema.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (FORMAT JSON) ${text}`,
      values,
    );
    const plan = rows[0]!['QUERY PLAN'][0]!.Plan;
    // A bitmap scan names its table in the heap node and its index in the child node: both are listed.
    const scans = [...nodes(plan)]
      .filter((n) => n['Relation Name'] === 'violation' || n['Node Type'] === 'Bitmap Index Scan')
      .map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`);
    result.push({ sql: text.replace(/\s+/g, ' '), scans });
  }
  return result;
}

/** FULLSTOP_TEST_PLAN_PRINT=1 prints each statement's scans of `violation` (the report's table of plans). */
const printed: string[] = [];

function expectIndexOnly(statements: Array<{ sql: string; scans: string[] }>, atLeast: number): void {
  if (process.env.FULLSTOP_TEST_PLAN_PRINT === '1')
    for (const { sql, scans } of statements) printed.push(`${scans.join(' + ')}\n    ${sql.slice(0, 400)}`);
  expect(statements.length).toBeGreaterThanOrEqual(atLeast);
  for (const { sql, scans } of statements) {
    expect(scans.length, sql).toBeGreaterThan(0);
    expect(
      scans.filter((scan) => scan.includes('Seq Scan')),
      `${sql}\n${scans.join('\n')}`,
    ).toEqual([]);
  }
}

const [A, B] = SEED_ACCOUNTS as [string, string];
const newest = (size = 50): PageRequest => ({ page: 0, size, sort: [{ property: 'id', direction: 'DESC' }] });
const oldest: PageRequest = { page: 0, size: 10, sort: [{ property: 'id', direction: 'ASC' }] };

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle(`PostgreSQL query plans on ${ROWS} violations`), () => {
  beforeAll(async () => {
    schema = testSchema();
    store = (await openStore(schema.url)) as PostgresStore;
    await seedViolations(schema, ROWS);
  }, 300_000);
  afterAll(async () => {
    if (printed.length > 0) console.log(printed.join('\n'));
    await store?.close();
    await schema?.drop();
  });

  // The filters the API builds: `to` defaults to now, the CLI sends `from` (--since), sorts by id descending and
  // passes the configured accounts; the web UI pages in id order.
  const now = Date.now();
  const since = Date.UTC(2024, 0, 1) + ROWS / 2;
  const lists: Array<[string, ViolationFilter, PageRequest]> = [
    ['open, newest first', {}, newest()],
    ['open, default sort', {}, oldest],
    ['open, one account', { accounts: [A] }, newest()],
    ['open, two accounts', { accounts: [A, B] }, newest()],
    ['open, account and type', { accounts: [A], types: ['WRONG_AMI'] }, newest()],
    ['open, two types', { types: ['WRONG_AMI', 'WRONG_REGION'] }, newest()],
    ['open, severity', { severity: 2 }, newest()],
    ['open, priority and audit flag', { priority: 1, auditRelevant: false }, newest()],
    ['open, since (CLI default)', { accounts: [A, B], createdAfter: since }, newest(20)],
    ['open, account and regions', { accounts: [A], regions: [SEED_REGIONS[0]!] }, newest()],
    ['open, last-violation', { lastViolation: ROWS - 500 }, oldest],
    ['open, instance id', { instanceIds: ['i-00000000'] }, newest()],
    ['open, application and version', { applicationIds: ['app-3'], applicationVersionIds: ['1.3'] }, newest()],
    ['resolved', { checked: true }, newest()],
    ['resolved, one account', { checked: true, accounts: [SEED_ACCOUNTS[4]!] }, newest()],
    ['whitelisted', { whitelisted: true }, newest()],
    ['whitelisted, one account', { whitelisted: true, accounts: [A] }, newest()],
  ];

  it.each(lists)('lists and counts: %s', async (_name, filter, page) => {
    const full = { ...filter, createdBefore: now };
    // The page with its count, then the JSON fast path's page of ids with its count.
    expectIndexOnly(await scansOf(() => store.listViolations(full, page)), 2);
    expectIndexOnly(await scansOf(() => store.listViolationsJson(full, page)), 2);
  });

  const counts: Array<[string, CountFilter]> = [
    ['open', {}],
    ['resolved', { resolved: true }],
    ['open, since', { from: since }],
  ];
  it.each(counts)('counts by account and type, and by application version: %s', async (_name, filter) => {
    expectIndexOnly(await scansOf(() => store.countByAccountAndType([A, B], filter)), 1);
    expectIndexOnly(await scansOf(() => store.countByAppVersionAndType(A, filter)), 1);
  });
});
