import { text } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createSqsSource,
  queueUrlFromSpec,
  regionOfQueueUrl,
  type SqsSourceOptions,
} from '../../src/server/ingest/sqs.js';
import type { QueueMessage, QueueSource } from '../../src/server/ingest/source.js';
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../helpers/s3-server.js';
import { startSqsServer, type TestSqsServer } from '../helpers/sqs-server.js';

const KEY =
  'AWSLogs/111111111111/CloudTrail/eu-west-1/2024/01/05/111111111111_CloudTrail_eu-west-1_20240105T1000Z_a b.json.gz';
const KEY2 =
  'AWSLogs/111111111111/CloudTrail/eu-west-1/2024/01/05/111111111111_CloudTrail_eu-west-1_20240105T1005Z_c.json.gz';
const RECORDS = [{ eventID: 'e1', eventName: 'RunInstances', awsRegion: 'eu-west-1' }];

let s3: TestS3Server;
let sqs: TestSqsServer;
const etags = new Map<string, string>();
let queueCount = 0;

beforeAll(async () => {
  [s3, sqs] = await Promise.all([startS3Server(), startSqsServer()]);
  await s3.createBucket('trail');
  await s3.createBucket('trail-two');
  await s3.putTrail('trail', KEY, RECORDS);
  await s3.putTrail('trail', KEY2, RECORDS);
  await s3.putTrail('trail-two', KEY2, RECORDS);
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  for (const [bucket, key] of [
    ['trail', KEY],
    ['trail', KEY2],
    ['trail-two', KEY2],
  ] as const) {
    etags.set(
      `${bucket}/${key}`,
      (await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag!.replaceAll('"', ''),
    );
  }
});

afterAll(async () => {
  await Promise.all([s3?.close(), sqs?.close()]);
});

beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_PROFILE', '');
});

/** A fresh queue per test, so tests cannot see each other's messages. */
function newQueue(visibilityTimeoutSeconds = 30): string {
  queueCount += 1;
  return sqs.createQueue(`trail-${queueCount}`, { visibilityTimeoutSeconds });
}

function source(queueUrl: string, options: Partial<SqsSourceOptions> = {}): QueueSource & { warnings: string[] } {
  const warnings: string[] = [];
  const src = createSqsSource({
    queueUrl,
    s3: { endpoint: s3.endpoint },
    waitTimeSeconds: 1,
    warn: (m) => warnings.push(m),
    ...options,
  });
  return Object.assign(src, { warnings });
}

/** Receives until `count` queue messages arrived or `ms` passed, then stops the source. */
async function take(src: QueueSource, count: number, ms = 5000): Promise<QueueMessage[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  const out: QueueMessage[] = [];
  try {
    for await (const message of src.receive(controller.signal)) {
      out.push(message);
      if (out.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

const s3Event = (bucket: string, key: string, eventName = 'ObjectCreated:Put') => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName,
      s3: { bucket: { name: bucket }, object: { key, eTag: etags.get(`${bucket}/${key}`), size: 1 } },
    },
  ],
});
const encode = (key: string) => encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+');
const sns = (message: object) => ({
  Type: 'Notification',
  MessageId: 'm',
  TopicArn: 'arn:aws:sns:eu-west-1:111111111111:t',
  Message: JSON.stringify(message),
});

describe('createSqsSource', () => {
  it('reads a direct S3 event notification and deletes the message only on ack', async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify(s3Event('trail', encode(KEY))));
    const [message] = (await take(source(queue), 1)) as [QueueMessage];
    expect(message.objectSource).toBe('s3://trail');
    expect(message.objects.map((o) => [o.key, o.fingerprint])).toEqual([[KEY, etags.get(`trail/${KEY}`)]]);
    expect(
      JSON.parse(gunzipSync(Buffer.concat(await (await message.objects[0]!.open()).toArray())).toString()),
    ).toEqual({ Records: RECORDS });

    expect(sqs.stored(queue)).toMatchObject([{ inFlight: true }]);
    expect(sqs.requests('DeleteMessage')).toHaveLength(0);
    await message.ack();
    expect(sqs.stored(queue)).toEqual([]);
  });

  it('reads an SNS-wrapped S3 event notification', async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify(sns(s3Event('trail', encode(KEY2)))));
    const [message] = (await take(source(queue), 1)) as [QueueMessage];
    expect(message.objects.map((o) => o.key)).toEqual([KEY2]);
    await message.ack();
    expect(sqs.stored(queue)).toEqual([]);
  });

  it("reads CloudTrail's SNS notification, fingerprinting each key by its ETag", async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify(sns({ s3Bucket: 'trail', s3ObjectKey: [KEY, KEY2] })));
    const [message] = (await take(source(queue), 1)) as [QueueMessage];
    expect(message.objects.map((o) => [o.key, o.fingerprint])).toEqual([
      [KEY, etags.get(`trail/${KEY}`)],
      [KEY2, etags.get(`trail/${KEY2}`)],
    ]);
    expect(await text(await message.objects[1]!.open())).not.toBe('');
  });

  it('deletes test events and removals at once, yielding nothing', async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'trail' }));
    sqs.send(queue, JSON.stringify(sns({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'trail' })));
    sqs.send(queue, JSON.stringify(s3Event('trail', encode(KEY), 'ObjectRemoved:Delete')));
    expect(await take(source(queue), 1, 1500)).toEqual([]);
    expect(sqs.stored(queue)).toEqual([]);
    expect(sqs.requests('DeleteMessage').filter((r) => r.input['QueueUrl'] === queue)).toHaveLength(3);
  });

  it('logs a message it cannot parse and leaves it for the redrive policy', async () => {
    const queue = newQueue();
    const id = sqs.send(queue, '{"hello": "world"}');
    const src = source(queue);
    expect(await take(src, 1, 1500)).toEqual([]);
    expect(src.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^SQS message ${id} \\(received 1 times\\) left for the queue's redrive policy: neither an S3 event notification nor a CloudTrail notification .*; body: "\\{\\\\"hello`,
        ),
      ),
    ]);
    expect(sqs.stored(queue)).toMatchObject([{ id, inFlight: true }]);
  });

  it('receives a message that was not acked again after its visibility timeout', async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify(s3Event('trail', encode(KEY))));
    const [first, second] = (await take(source(queue, { visibilityTimeoutSeconds: 1 }), 2, 6000)) as [
      QueueMessage,
      QueueMessage,
    ];
    expect(second.objects.map((o) => o.key)).toEqual(first.objects.map((o) => o.key));
    expect(sqs.stored(queue)).toMatchObject([{ receiveCount: 2 }]);
    await second.ack();
    expect(sqs.stored(queue)).toEqual([]);
  });

  it('keeps a message invisible from its first file opened until released (read and commit), then lets it reappear', async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify(s3Event('trail', encode(KEY))));
    const src = source(queue, { visibilityTimeoutSeconds: 1 });
    const [message] = (await take(src, 1)) as [QueueMessage];
    const stream = await message.objects[0]!.open();
    await sleep(2500);
    expect(sqs.stored(queue)).toMatchObject([{ inFlight: true, receiveCount: 1 }]);
    const extensions = () =>
      sqs.requests('ChangeMessageVisibility').filter((r) => r.input['QueueUrl'] === queue).length;
    expect(extensions()).toBeGreaterThanOrEqual(3);
    // The file is read; the commit may still take a while: the message stays invisible.
    stream.destroy();
    await sleep(1600);
    expect(sqs.stored(queue)).toMatchObject([{ inFlight: true, receiveCount: 1 }]);
    message.release!();
    const after = extensions();
    await sleep(1600);
    expect(sqs.stored(queue)).toMatchObject([{ inFlight: false }]);
    expect(extensions()).toBe(after);
    expect(src.warnings).toEqual([]);
  });

  it('deletes a message naming two buckets only when both are acked', async () => {
    const queue = newQueue();
    const two = { Records: [...s3Event('trail', encode(KEY)).Records, ...s3Event('trail-two', encode(KEY2)).Records] };
    sqs.send(queue, JSON.stringify(two));
    const messages = await take(source(queue), 2);
    expect(messages.map((m) => m.objectSource)).toEqual(['s3://trail', 's3://trail-two']);
    await messages[0]!.ack();
    expect(sqs.stored(queue)).toHaveLength(1);
    await messages[1]!.ack();
    expect(sqs.stored(queue)).toEqual([]);
  });

  it('leaves a CloudTrail notification naming a missing object for redelivery', async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify({ s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/gone.json.gz'] }));
    const src = source(queue);
    expect(await take(src, 1, 1500)).toEqual([]);
    expect(src.warnings).toEqual([
      expect.stringContaining('left for redelivery: s3://trail/AWSLogs/gone.json.gz: no such object'),
    ]);
    expect(sqs.stored(queue)).toMatchObject([{ inFlight: true }]);
  });

  it('stops a long poll at once when the signal aborts, taking no message in flight', async () => {
    const queue = newQueue();
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    const received: QueueMessage[] = [];
    for await (const message of source(queue, { waitTimeSeconds: 20 }).receive(controller.signal))
      received.push(message);
    expect(received).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    // The hang-up reaches the server on a later turn of this same event loop; a message sent before that could
    // still be handed to the abandoned poll.
    await sleep(100);
    sqs.send(queue, JSON.stringify(s3Event('trail', encode(KEY))));
    await sleep(100);
    expect(sqs.stored(queue)).toMatchObject([{ inFlight: false, receiveCount: 0 }]);
  });

  it('resolves a queue name with GetQueueUrl', async () => {
    const queue = newQueue();
    sqs.send(queue, JSON.stringify(s3Event('trail', encode(KEY))));
    const [message] = (await take(source(`trail-${queueCount}`, { endpoint: sqs.endpoint }), 1)) as [QueueMessage];
    await message.ack();
    expect(sqs.stored(queue)).toEqual([]);
    expect(sqs.requests('GetQueueUrl').at(-1)?.input).toEqual({ QueueName: `trail-${queueCount}` });
  });

  it('fails with the queue named when the queue does not exist', async () => {
    await expect(take(source(`${sqs.endpoint}/000000000000/missing`), 1)).rejects.toThrow(
      /SQS queue ".*\/missing": .*does not exist/,
    );
  });
});

describe('regionOfQueueUrl', () => {
  it.each([
    ['https://sqs.eu-west-1.amazonaws.com/123456789012/q', 'eu-west-1'],
    ['https://eu-central-1.queue.amazonaws.com/123456789012/q', 'eu-central-1'],
    ['http://127.0.0.1:9324/000000000000/q', undefined],
    ['q', undefined],
  ])('%s → %s', (url, region) => expect(regionOfQueueUrl(url)).toBe(region));
});

describe('queueUrlFromSpec', () => {
  it.each([
    [
      'sqs://https://sqs.eu-west-1.amazonaws.com/123456789012/trail',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/trail',
    ],
    ['sqs://http://127.0.0.1:9324/000000000000/trail', 'http://127.0.0.1:9324/000000000000/trail'],
    [
      'sqs://sqs.eu-west-1.amazonaws.com/123456789012/trail.fifo',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/trail.fifo',
    ],
    ['sqs://trail-events', 'trail-events'],
  ])('%s → %s', (spec, url) => expect(queueUrlFromSpec(spec)).toBe(url));

  it.each(['sqs://', 'sqs://a b', 'sqs://https://', 'sqs://host/not-an-account/q'])('rejects %s', (spec) => {
    expect(() => queueUrlFromSpec(spec)).toThrow(
      `invalid SQS source "${spec}": expected sqs://QUEUE_URL or sqs://QUEUE_NAME`,
    );
  });
});
