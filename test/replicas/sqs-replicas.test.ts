/**
 * Replicas consuming one SQS queue of CloudTrail notifications (the JSON-protocol SQS test server, s3rver for the
 * objects, PostgreSQL for the store): SQS hands each message to one replica at a time; a message is deleted only
 * after its files are committed, and one whose commit failed is given back and returns after its visibility timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSqsSource } from '../../src/server/ingest/sqs.js';
import { emptySummary, ingestMessage } from '../../src/server/ingest/ingest.js';
import { createInlineProcessor } from '../../src/server/ingest/processor.js';
import { startContinuousIngest } from '../../src/server/ingest/continuous.js';
import type { QueueMessage } from '../../src/server/ingest/source.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../helpers/s3-server.js';
import { startSqsServer, type TestSqsServer } from '../helpers/sqs-server.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { PG_SKIP_REASON, PG_URL, pgTitle, testSchema } from '../store/pg.js';

const key = (i: number) =>
  `AWSLogs/111111111111/CloudTrail/eu-west-1/2024/01/05/111111111111_CloudTrail_eu-west-1_20240105T10${String(i).padStart(2, '0')}Z_x.json.gz`;
const record = (i: number) => ({
  eventID: `e${i}`,
  eventName: 'RunInstances',
  eventSource: 'ec2.amazonaws.com',
  awsRegion: 'eu-west-1',
  recipientAccountId: '111111111111',
});
const notification = (i: number) => JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: [key(i)] });
const logger = { info() {}, warn() {}, error() {} };

let s3: TestS3Server;
let sqs: TestSqsServer;

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('replicas on one SQS queue'), () => {
  beforeAll(async () => {
    [s3, sqs] = await Promise.all([startS3Server(), startSqsServer()]);
    await s3.createBucket('trail');
    for (let i = 0; i < 12; i++) await s3.putTrail('trail', key(i), [record(i)]);
  });
  afterAll(async () => {
    await Promise.all([s3?.close(), sqs?.close()]);
  });
  beforeEach(() => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  });

  const source = (queueUrl: string, visibilityTimeoutSeconds = 5) =>
    createSqsSource({
      queueUrl,
      s3: { endpoint: s3.endpoint },
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds,
      warn: () => {},
    });

  it('deletes a message only after its commit; a failed commit gives it back, and it returns', async () => {
    const schema = testSchema();
    const proxy = await startTcpProxy(Number(new URL(PG_URL!).port || 5432), new URL(PG_URL!).hostname);
    const store = await openStore(proxy.via(schema.url), { poolSize: 2 });
    const queue = sqs.createQueue('commit-fails', { visibilityTimeoutSeconds: 2 });
    const processor = createInlineProcessor(undefined);
    try {
      sqs.send(queue, notification(0));
      const controller = new AbortController();
      const received: QueueMessage[] = [];
      for await (const message of source(queue, 2).receive(controller.signal)) {
        received.push(message);
        break;
      }
      // The commit loses its connection after recording the file: nothing is committed.
      const cut = proxy.cutAfter('INSERT INTO processed_file', 100);
      const ctx = { store, processor, summary: emptySummary() };
      await expect(ingestMessage(received[0]!, ctx)).rejects.toThrow();
      await cut;
      expect(sqs.requests('DeleteMessage')).toHaveLength(0);
      expect(sqs.stored(queue)).toMatchObject([{ inFlight: true, receiveCount: 1 }]);
      // Given back: no more extensions, so it is visible again within one timeout.
      const extensions = sqs.requests('ChangeMessageVisibility').length;
      await sleep(2300);
      expect(sqs.requests('ChangeMessageVisibility')).toHaveLength(extensions);
      expect(sqs.stored(queue)).toMatchObject([{ inFlight: false, receiveCount: 1 }]);
      for await (const message of source(queue, 2).receive(controller.signal)) {
        expect(await ingestMessage(message, ctx)).toBe(true);
        break;
      }
      expect(sqs.stored(queue)).toEqual([]);
      expect((await schema.query('SELECT key FROM processed_file')).rows).toEqual([{ key: key(0) }]);
    } finally {
      await processor.close();
      await store.close();
      await proxy.close();
      await schema.drop();
    }
  });

  it('shares a queue between two replicas: every message deleted, every file committed once', async () => {
    const schema = testSchema();
    const stores: ViolationStore[] = [await openStore(schema.url), await openStore(schema.url)];
    const queue = sqs.createQueue('shared', { visibilityTimeoutSeconds: 5 });
    for (let i = 1; i < 12; i++) sqs.send(queue, notification(i));
    const controller = new AbortController();
    const replicas = stores.map((store) =>
      startContinuousIngest({ store, sources: [source(queue)], logger, signal: controller.signal, workers: 0 }),
    );
    try {
      const deadline = Date.now() + 15_000;
      while (sqs.stored(queue).length > 0 && Date.now() < deadline) await sleep(100);
      expect(sqs.stored(queue)).toEqual([]);
      const { rows } = await schema.query<{ key: string; n: number }>(
        'SELECT key, count(*)::int AS n FROM processed_file GROUP BY key ORDER BY key',
      );
      expect(rows).toEqual(Array.from({ length: 11 }, (_, i) => ({ key: key(i + 1), n: 1 })));
      expect((await stores[0]!.listViolations({}, { page: 0, size: 100, sort: [] })).total).toBe(
        (await schema.query('SELECT count(*)::int AS n FROM violation')).rows[0]!.n,
      );
      // What each replica reports adds up to the files: none was committed by both.
      const committed = replicas.map((r) => r.status()[0]!.committed);
      expect(committed.reduce((a, b) => a + b, 0)).toBe(11);
    } finally {
      controller.abort();
      await Promise.all(replicas.map((r) => r.done));
      await Promise.all(stores.map((store) => store.close()));
      await schema.drop();
    }
  });
});
