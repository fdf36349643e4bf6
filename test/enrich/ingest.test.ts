/**
 * `fullstop ingest` with enrichment, through main() against the stand-ins (EC2/STS through AWS_ENDPOINT_URL, Kio,
 * Pier One on random ports): violations get their facts and applications, lifecycles are recorded, slow answers
 * are waited for, failed look-ups are kept pending and retried.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { runCli } from '../helpers/run-cli.js';
import { fullstopBinary, tempDir } from '../ingest/helpers.js';
import { useAwsStandIn } from './aws-env.js';
import { AMI, startWorld, worldEvents, writeConfig, writeLogs, type World } from './world.js';

const aws = useAwsStandIn();
let world: World;
const dir = tempDir('fullstop-enrich-ingest-');
let runs = 0;

beforeAll(async () => {
  world = await startWorld(aws());
});
afterAll(async () => {
  await world.close();
  dir.cleanup();
});
afterEach(() => {
  world.kio.clearFaults();
  world.pierone.clearFaults();
});

/** A fresh folder of logs, config and database. */
function setUp(events: readonly unknown[] = worldEvents()) {
  const base = join(dir.path, `run-${++runs}`);
  writeLogs(join(base, 'logs'), events);
  const config = join(base, 'fullstop.yaml');
  writeConfig(config, world);
  return { logs: join(base, 'logs'), config, db: `sqlite:${join(base, 'fullstop.db')}` };
}

const ingest = (s: ReturnType<typeof setUp>, ...extra: string[]) =>
  runCli(['ingest', s.logs, '--config', s.config, '--db', s.db, '--workers', '0', '-o', 'json', ...extra], {
    bare: true,
  });

async function withStore<T>(db: string, fn: (store: ViolationStore) => Promise<T>): Promise<T> {
  const store = await openStore(db);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const BY_ID = [{ property: 'id' as const, direction: 'ASC' as const }];
const BY_DATE = [
  { property: 'eventDate' as const, direction: 'ASC' as const },
  { property: 'instanceId' as const, direction: 'ASC' as const },
];

/** What the world's events yield with every system answering. */
const EXPECTED = [
  'i-bare MISSING_USER_DATA  ',
  'i-cart APPLICATION_NOT_PRESENT_IN_KIO cart 2.0',
  'i-cart ILLEGAL_SCM_REPOSITORY cart 2.0',
  'i-shop2 ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY shop 1.1',
  'i-shop2 EC2_WITH_KEYPAIR shop 1.1',
  'i-ubuntu WRONG_AMI tagged 7',
  'i-ubuntu WRONG_REGION tagged 7',
];

const violationSummary = (db: string) =>
  withStore(db, async (store) => {
    const page = await store.listViolations({}, { page: 0, size: 100, sort: [{ property: 'id', direction: 'ASC' }] });
    return page.content
      .map((v) => [v.instance_id, v.violation_type.id, v.application_id, v.application_version_id].join(' '))
      .sort();
  });

describe('fullstop ingest with enrichment', () => {
  it('looks facts up, gives violations their application, records lifecycles and says which rules are off', async () => {
    const s = setUp();
    const result = await ingest(s, '--retry-wait', '0');
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, number>;
    expect(summary).toMatchObject({ records: 8, enrichment_events: 7, enrichment_failed: 0, enrichment_pending: 0 });
    expect(result.stderr).toContain(
      'MODIFIED_ROLE_OR_SERVICE is off: rules.modified_role_or_service.templates is not set',
    );
    expect(result.stderr).not.toContain('WRONG_AMI is off');
    expect(await violationSummary(s.db)).toEqual(EXPECTED);
    const lifecycles = await withStore(s.db, async (store) => ({
      shop: (await store.listLifecycles({ application: 'shop', page: 0, size: 10, sort: BY_DATE })).content,
      shop11: (await store.listLifecycles({ application: 'shop', version: '1.1', page: 0, size: 10, sort: BY_ID }))
        .content,
      tagged: (await store.listLifecycles({ application: 'tagged', page: 0, size: 10, sort: BY_ID })).content,
    }));
    expect(lifecycles.shop.map((l) => [l.instance_id, l.version, l.event_type, l.event_date, l.image_name])).toEqual([
      ['i-shop1', '1.0', 'RunInstances', '2024-05-01T10:00:00.000Z', 'Taupage-AMI-20240501'],
      ['i-shop2', '1.1', 'RunInstances', '2024-05-01T10:00:00.000Z', 'Taupage-AMI-20240501'],
      ['i-shop1', '1.0', 'StopInstances', '2024-05-01T10:00:01.000Z', 'Taupage-AMI-20240501'],
    ]);
    expect(lifecycles.shop11.map((l) => l.instance_id)).toEqual(['i-shop2']);
    expect(lifecycles.tagged).toEqual([
      expect.objectContaining({ application: 'tagged', version: '7', image_id: AMI.ubuntu, region: 'us-east-1' }),
    ]);
    // Identical look-ups were made once: one AssumeRole, one DescribeImages per AMI.
    expect(aws().calls('AssumeRole')).toHaveLength(1);
    expect(aws().calls('DescribeImages')).toHaveLength(3);
    expect(
      world.kio
        .calls()
        .map((c) => c.detail['id'])
        .sort(),
    ).toEqual(['cart', 'shop']);
  });

  it('waits for slow answers within the timeout', async () => {
    const s = setUp();
    world.kio.fault('GET /apps', { delayMs: 400 });
    world.pierone.fault('*', { delayMs: 300 });
    aws().fault('DescribeInstanceAttribute', { delayMs: 300 });
    const result = await ingest(s, '--retry-wait', '0');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ enrichment_failed: 0, enrichment_pending: 0 });
    expect(await violationSummary(s.db)).toEqual(EXPECTED);
  });

  it('keeps the records whose look-ups failed pending, and commits everything else', async () => {
    const s = setUp();
    world.kio.fault('GET /apps', { status: 503 });
    const result = await ingest(s, '--retry-wait', '0');
    expect(result.code, result.stderr).toBe(0);
    // shop1, shop2 and cart need Kio; the others are evaluated.
    expect(JSON.parse(result.stdout)).toMatchObject({
      enrichment_events: 7,
      enrichment_failed: 3,
      enrichment_pending: 3,
    });
    expect(result.stderr).toMatch(
      /look-ups failed: file:\/\/\S+ \S+: \d record\(s\) pending, to be retried: .*kio GET \/apps\/\{id\} \w+: HttpStatusError: Kio answered HTTP 503/,
    );
    expect(result.stderr).toContain('3 record(s) await a retry of their look-ups');
    expect(await violationSummary(s.db)).toEqual(EXPECTED.filter((v) => !/^i-(shop|cart)/.test(v)));
  });

  it('enriches in worker threads too (the built binary), and retries what they left pending', async () => {
    const s = setUp();
    const env = {
      ...process.env,
      NO_COLOR: '1',
      AWS_ENDPOINT_URL: aws().url,
      AWS_ACCESS_KEY_ID: aws().callerCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws().callerCredentials.secretAccessKey,
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const args = ['ingest', s.logs, '--config', s.config, '--db', s.db, '--workers', '2', '-o', 'json'];
    world.kio.fault('GET /apps', { status: 503 });
    const during = await fullstopBinary([...args, '--retry-wait', '0'], env);
    expect(during.code, during.stderr).toBe(0);
    expect(JSON.parse(during.stdout)).toMatchObject({
      enrichment_events: 7,
      enrichment_failed: 3,
      enrichment_pending: 3,
    });
    expect(during.stderr).not.toContain('Warning');
    world.kio.clearFaults();
    const after = await fullstopBinary([...args, '--retry-wait', '30'], env);
    expect(JSON.parse(after.stdout)).toMatchObject({ enrichment_retried: 3, enrichment_pending: 0 });
    expect(await violationSummary(s.db)).toEqual(EXPECTED);
  }, 60_000);

  it('keeps records whose look-up cannot pass by asking again six hours, and retries them when the config changes', async () => {
    const s = setUp();
    // A registry that answers something else than an application (a wrong URL): asking again will not help.
    world.kio.fault('GET /apps', { status: 200, message: 'a login page' });
    const first = await ingest(s, '--retry-wait', '0');
    expect(JSON.parse(first.stdout)).toMatchObject({ enrichment_failed: 3, enrichment_pending: 3 });
    expect(first.stderr).toContain('MalformedAnswerError: Kio answered an application without id');
    const status = await withStore(s.db, (store) => store.pendingEvaluationStatus());
    expect(status.nextDueInMs).toBeGreaterThan(5 * 3_600_000);
    world.kio.clearFaults();
    // Not due under the same configuration...
    expect(JSON.parse((await ingest(s, '--retry-wait', '0')).stdout)).toMatchObject({
      enrichment_retried: 0,
      enrichment_pending: 3,
    });
    // ...but at once under a changed one (the fix may have been the configuration).
    writeConfig(s.config, world, '  concurrency: 16\n');
    expect(JSON.parse((await ingest(s, '--retry-wait', '0')).stdout)).toMatchObject({
      enrichment_retried: 3,
      enrichment_pending: 0,
    });
    expect(await violationSummary(s.db)).toEqual(EXPECTED);
  });
});
