/**
 * Nothing is lost when look-ups fail: with the application registry down and AWS throttling during an ingest,
 * the records whose look-ups failed wait as pending evaluations; once both answer again, the retries leave the
 * store with exactly the violations and lifecycle records of a run in which nothing failed.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../ingest/helpers.js';
import { useAwsStandIn } from './aws-env.js';
import { startWorld, worldEvents, writeConfig, writeLogs, type World } from './world.js';

const aws = useAwsStandIn();
let world: World;
const dir = tempDir('fullstop-enrich-outage-');

beforeAll(async () => {
  world = await startWorld(aws());
});
afterAll(async () => {
  await world.close();
  dir.cleanup();
});

const APPLICATIONS = ['shop', 'cart', 'tagged', 'hardened'];

/** Every violation and lifecycle record, whole rows without ids and times, in a stable order. */
async function contents(db: string) {
  const store = await openStore(db);
  try {
    const page = await store.listViolations({}, { page: 0, size: 1000, sort: [{ property: 'id', direction: 'ASC' }] });
    const violations = page.content
      .map(({ id: _id, created: _c, last_modified: _m, violation_type, ...rest }) => ({
        ...rest,
        violation_type: violation_type.id,
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const lifecycles = [];
    for (const application of APPLICATIONS) {
      const { content } = await store.listLifecycles({
        application,
        page: 0,
        size: 1000,
        sort: [{ property: 'id', direction: 'ASC' }],
      });
      lifecycles.push(...content.map(({ created: _c, ...rest }) => rest));
    }
    lifecycles.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    return { violations, lifecycles, pending: (await store.pendingEvaluationStatus()).count };
  } finally {
    await store.close();
  }
}

function setUp(name: string) {
  const base = join(dir.path, name);
  writeLogs(join(base, 'logs'), worldEvents());
  writeConfig(join(base, 'fullstop.yaml'), world);
  return (...extra: string[]) =>
    runCli(
      [
        'ingest',
        join(base, 'logs'),
        '--config',
        join(base, 'fullstop.yaml'),
        '--db',
        `sqlite:${join(base, 'fullstop.db')}`,
        '--workers',
        '0',
        '-o',
        'json',
        ...extra,
      ],
      { bare: true },
    );
}

it('ends, after an outage of Kio and AWS throttling, with what a run without faults stores', async () => {
  const clean = setUp('clean');
  expect((await clean('--retry-wait', '0')).code).toBe(0);
  const expected = await contents(`sqlite:${join(dir.path, 'clean', 'fullstop.db')}`);
  expect(expected.violations.length).toBeGreaterThan(5);
  expect(expected.lifecycles.length).toBeGreaterThan(4);
  expect(expected.pending).toBe(0);

  const outage = setUp('outage');
  const db = `sqlite:${join(dir.path, 'outage', 'fullstop.db')}`;
  world.kio.fault('GET /apps', { status: 503 });
  // Throttled through its retries: the look-up fails. Both systems' failures show.
  aws().fault('DescribeInstances', { status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.' });
  const during = await outage('--retry-wait', '0');
  expect(during.code, during.stderr).toBe(0);
  const summary = JSON.parse(during.stdout) as Record<string, number>;
  expect(summary['enrichment_failed']).toBeGreaterThan(0);
  expect(summary['enrichment_pending']).toBe(summary['enrichment_failed']);
  expect(during.stderr).toMatch(
    /look-ups failed: .*kio GET \/apps\/\{id\} \w+: HttpStatusError: Kio answered HTTP 503/,
  );
  expect(during.stderr).toMatch(
    /look-ups failed: .*aws:123456789012 DescribeInstances \S+: RequestLimitExceeded: Request limit exceeded\./,
  );
  const partial = await contents(db);
  expect(partial.violations.length).toBeLessThan(expected.violations.length);
  expect(partial.pending).toBe(summary['enrichment_pending']);

  // Both come back; the next ingest has no new file, retries what is due and waits for the rest.
  world.kio.clearFaults();
  aws().clearFaults();
  const after = await outage('--retry-wait', '30');
  expect(after.code, after.stderr).toBe(0);
  expect(JSON.parse(after.stdout)).toMatchObject({
    files_ingested: 0,
    enrichment_retried: summary['enrichment_pending'],
    enrichment_pending: 0,
  });
  expect(await contents(db)).toEqual(expected);
}, 60_000);
