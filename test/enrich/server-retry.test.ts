/**
 * Pending evaluations retried by a running server: the built `fullstop server` with the config's enrichment
 * retries what an ingest left pending, `/health` counts them down, and the lifecycles API serves the records.
 * Then several retriers on one PostgreSQL database: each pending row is evaluated exactly once.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrichmentStage } from '../../src/server/enrich/setup.js';
import { retryDue } from '../../src/server/enrich/retry.js';
import { openStore } from '../../src/server/store/open-store.js';
import { startServerProcess } from '../e2e/server-process.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../ingest/helpers.js';
import { PG_SKIP_REASON, pgTitle, testSchema } from '../store/pg.js';
import { useAwsStandIn } from './aws-env.js';
import { ACCOUNT, AMI, instanceEvent, startWorld, worldEvents, writeConfig, writeLogs, type World } from './world.js';

const aws = useAwsStandIn();
let world: World;
const dir = tempDir('fullstop-enrich-server-');

beforeAll(async () => {
  world = await startWorld(aws());
});
afterAll(async () => {
  await world.close();
  dir.cleanup();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(200);
  }
}

describe('fullstop server retries pending evaluations', () => {
  it('evaluates what an ingest left pending once the registry answers, and serves the lifecycles', async () => {
    const logs = join(dir.path, 'logs');
    const config = join(dir.path, 'fullstop.yaml');
    const db = `sqlite:${join(dir.path, 'fullstop.db')}`;
    writeLogs(logs, worldEvents());
    writeConfig(config, world);
    world.kio.fault('GET /apps', { status: 503 });
    const ingest = await runCli(
      ['ingest', logs, '--config', config, '--db', db, '--workers', '0', '--retry-wait', '0', '-o', 'json'],
      { bare: true },
    );
    expect(JSON.parse(ingest.stdout)).toMatchObject({ enrichment_pending: 3 });
    world.kio.clearFaults();

    const server = await startServerProcess(['--no-auth', '--config', config, '--db', db], {
      AWS_ENDPOINT_URL: aws().url,
      AWS_ACCESS_KEY_ID: aws().callerCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: aws().callerCredentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      FULLSTOP_LOG_LEVEL: 'info',
    });
    try {
      const health = async () =>
        (await (await fetch(`${server.url}/health`)).json()) as {
          pending_evaluations: { count: number; oldest_age_seconds: number | null };
        };
      const before = await health();
      expect(before.pending_evaluations.oldest_age_seconds).toBeGreaterThanOrEqual(0);
      const after = await until(health, (h) => h.pending_evaluations.count === 0, 30_000);
      expect(after).toEqual({
        status: 'UP',
        store: { status: 'UP' },
        pending_evaluations: { count: 0, oldest_age_seconds: null },
      });
      expect(server.logs.join('\n')).toContain('"msg":"retried pending evaluations"');
      expect(server.logs.join('\n')).toContain(
        '"msg":"rule MODIFIED_ROLE_OR_SERVICE is off: rules.modified_role_or_service.templates is not set"',
      );

      const page = (await (await fetch(`${server.url}/api/lifecycles/applications/shop/versions/1.1`)).json()) as {
        content: Array<Record<string, unknown>>;
        total_elements: number;
      };
      expect(page).toMatchObject({ total_elements: 1, size: 10, number: 0, first: true, last: true });
      expect(page.content).toEqual([
        {
          application: 'shop',
          version: '1.1',
          event_date: '2024-05-01T10:00:00.000Z',
          image_id: AMI.taupage,
          image_name: 'Taupage-AMI-20240501',
          region: 'eu-west-1',
          instance_boot_time: null,
          event_type: 'RunInstances',
          instance_id: 'i-shop2',
          created: expect.stringMatching(/Z$/),
        },
      ]);
      const violations = (await (
        await fetch(`${server.url}/api/violations?application-ids=shop,cart&size=100`)
      ).json()) as { content: Array<{ violation_type: { id: string }; application_version_id: string }> };
      expect(violations.content.map((v) => `${v.violation_type.id} ${v.application_version_id}`).sort()).toEqual([
        'APPLICATION_NOT_PRESENT_IN_KIO 2.0',
        'ARTIFACT_BUILT_FROM_DIRTY_REPOSITORY 1.1',
        'EC2_WITH_KEYPAIR 1.1',
        'ILLEGAL_SCM_REPOSITORY 2.0',
      ]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);
});

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('retriers on one PostgreSQL database'), () => {
  it('evaluate each pending row exactly once', async () => {
    const schema = testSchema();
    const stores = await Promise.all([openStore(schema.url), openStore(schema.url), openStore(schema.url)]);
    const sections = {
      rules: { wrong_ami: { owners: ['999999999999'] } },
      enrichment: { aws: {}, timeout_seconds: 5 },
    };
    try {
      const state = aws().account(ACCOUNT);
      const events = Array.from({ length: 90 }, (_, i) => {
        const id = `i-many${i}`;
        state.instances.set(id, { imageId: AMI.taupage, userData: 'application_id: many\napplication_version: "1"\n' });
        return instanceEvent('RunInstances', `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`, id, {
          imageId: AMI.taupage,
        });
      });
      await stores[0]!.commitFiles([
        {
          file: { source: 'file:///x', key: 'a.json', fingerprint: '1', records: 90, badRecords: 0 },
          drafts: [],
          pending: events.map((event) => ({
            eventId: event.eventID,
            accountId: ACCOUNT,
            region: 'eu-west-1',
            event: JSON.stringify(event),
            source: 'file:///x',
            key: 'a.json',
            configFingerprint: 'another',
            lastError: 'throttled',
            retryable: true,
            delayMs: 0,
          })),
        },
      ]);
      aws().clearCalls();
      aws().fault('DescribeInstanceAttribute', { delayMs: 30 });
      const stages = stores.map(() => createEnrichmentStage(sections)!);
      const counts = await Promise.all(stores.map((store, i) => retryDue({ store, stage: stages[i]!, batch: 10 })));
      await Promise.all(stages.map((stage) => stage.close()));
      expect(counts.reduce((sum, c) => sum + c.evaluated, 0)).toBe(90);
      expect(counts.every((c) => c.lost === 0 && c.rescheduled === 0)).toBe(true);
      expect(counts.filter((c) => c.evaluated > 0).length).toBeGreaterThan(1);
      // Each row's instance was looked up by one retrier only.
      expect(aws().calls('DescribeInstanceAttribute')).toHaveLength(90);
      expect(await stores[0]!.pendingEvaluationStatus()).toEqual({ count: 0, oldestAgeMs: null, nextDueInMs: null });
      const lifecycles = await stores[1]!.listLifecycles({ application: 'many', page: 0, size: 1, sort: [] });
      expect(lifecycles.total).toBe(90);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await schema.drop();
    }
  }, 60_000);
});
