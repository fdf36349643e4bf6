/**
 * `sqs://QUEUE`: long-polls a queue of S3 or CloudTrail notifications (see sqs-notification.ts) and yields one
 * QueueMessage per bucket named in each message. Delivery semantics:
 * - `ack()` deletes the message; the pipeline calls it only once every named file is committed or recorded as
 *   failed. A message with several buckets is deleted when the last of its QueueMessages is acked.
 * - A message that is not acked becomes visible again when its visibility timeout (default 300 s, as the
 *   original fullstop) runs out, and is received again: files already committed are skipped then.
 * - From the moment its first file is opened until it is acked or released, the message's visibility is extended
 *   every half timeout, so a large file or a slow commit does not make it reappear mid-way (to be read again by
 *   another replica); a released message (a file could not be fetched, the store failed) comes back within one
 *   timeout.
 * - A body that is no notification at all is logged and left alone: the queue's redrive policy moves it to a
 *   dead-letter queue after maxReceiveCount receives (without one, it returns until the retention period ends).
 * - Test events, subscription confirmations and events without new objects are deleted at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
  type SQSClientConfig,
} from '@aws-sdk/client-sqs';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client, nonEmpty, quietSdkNodeVersionNotice, s3Object, type S3ClientOptions } from './s3.js';
import { keepKey } from './key-path.js';
import { parseNotification, type NotifiedObject } from './sqs-notification.js';
import { VisibilityHeartbeat } from './sqs-visibility.js';
import type { QueueMessage, QueueSource, SourceObject } from './source.js';

export interface SqsSourceOptions {
  /** The queue URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`) or a queue name. */
  queueUrl: string;
  /** An SQS-compatible endpoint. Default: FULLSTOP_SQS_ENDPOINT, else the queue URL's host. */
  endpoint?: string;
  /** Default: FULLSTOP_SQS_REGION, then the region in the queue URL, then the SDK's chain. */
  region?: string;
  credentials?: SQSClientConfig['credentials'];
  /** The client for the notified objects; its region defaults to the queue's. */
  s3?: S3ClientOptions;
  visibilityTimeoutSeconds?: number;
  waitTimeSeconds?: number;
  /** Where warnings go (unparseable messages, failed receives). Default: stderr. */
  warn?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

const MAX_BACKOFF_MS = 30_000;
const DRAIN_RETRIES = 3;

/** A queue source reading S3 or CloudTrail notifications from SQS. */
export function createSqsSource(options: SqsSourceOptions): QueueSource {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? nonEmpty(env['FULLSTOP_SQS_ENDPOINT']);
  const local =
    endpoint !== undefined ||
    (/^https?:\/\//.test(options.queueUrl) && !/\.amazonaws\.com(\.cn)?[:/]/.test(options.queueUrl));
  // Off AWS (an endpoint or a local queue URL) any region signs; on AWS the SDK's chain must find one.
  const region =
    options.region ??
    nonEmpty(env['FULLSTOP_SQS_REGION']) ??
    regionOfQueueUrl(options.queueUrl) ??
    (local ? (nonEmpty(env['AWS_REGION']) ?? 'us-east-1') : undefined);
  quietSdkNodeVersionNotice();
  const sqs = new SQSClient({
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const s3Region = options.s3?.region ?? nonEmpty(env['FULLSTOP_S3_REGION']) ?? region;
  const s3 = createS3Client({ ...options.s3, env, ...(s3Region !== undefined ? { region: s3Region } : {}) });
  const visibility = options.visibilityTimeoutSeconds ?? 300;
  const wait = options.waitTimeSeconds ?? 20;
  const warn = options.warn ?? ((message: string) => void process.stderr.write(`warning: ${message}\n`));
  const named = !/^https?:\/\//.test(options.queueUrl);
  let queueUrl: string | undefined = named ? undefined : options.queueUrl;

  async function resolveQueueUrl(signal: AbortSignal): Promise<string> {
    queueUrl ??= (await sqs.send(new GetQueueUrlCommand({ QueueName: options.queueUrl }), { abortSignal: signal }))
      .QueueUrl;
    if (queueUrl === undefined) throw new Error(`SQS queue "${options.queueUrl}": GetQueueUrl returned no URL`);
    return queueUrl;
  }

  async function receiveBatch(url: string, signal: AbortSignal): Promise<Message[]> {
    const input = {
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: wait,
      VisibilityTimeout: visibility,
      MessageSystemAttributeNames: ['ApproximateReceiveCount' as const],
    };
    return (await sqs.send(new ReceiveMessageCommand(input), { abortSignal: signal })).Messages ?? [];
  }

  async function toQueueMessages(url: string, message: Message): Promise<QueueMessage[]> {
    const id = `SQS message ${message.MessageId ?? '?'} (received ${message.Attributes?.['ApproximateReceiveCount'] ?? '?'} times)`;
    const remove = () => deleteMessage(sqs, url, message);
    const notification = parseNotification(message.Body);
    if (notification.kind === 'invalid') {
      warn(`${id} left for the queue's redrive policy: ${notification.reason}; body: ${preview(message.Body)}`);
      return [];
    }
    const wanted = notification.kind === 'objects' ? notification.objects.filter((o) => keepKey(o.key, {})) : [];
    if (wanted.length === 0) {
      await remove();
      return [];
    }
    const buckets = new Map<string, NotifiedObject[]>();
    for (const object of wanted) buckets.set(object.bucket, [...(buckets.get(object.bucket) ?? []), object]);
    const heartbeat = new VisibilityHeartbeat(sqs, url, message, visibility, warn);
    let unacked = buckets.size;
    const ack = async () => {
      unacked -= 1;
      if (unacked > 0) return;
      heartbeat.stop();
      await remove();
    };
    try {
      // A part of the message given up means the whole message must come back.
      const release = () => heartbeat.stop();
      return await Promise.all(
        [...buckets].map(async ([bucket, objects]) => ({
          objectSource: `s3://${bucket}`,
          objects: (await Promise.all(objects.map((o) => notifiedObject(s3, o)))).map((o) => heartbeat.watch(o)),
          ack,
          release,
        })),
      );
    } catch (error) {
      warn(`${id} left for redelivery: ${(error as Error).message}`);
      return [];
    }
  }

  return {
    kind: 'queue',
    url: `sqs://${options.queueUrl.replace(/^https?:\/\//, '')}`,
    async *receive(signal, receiveOptions) {
      let failures = 0;
      while (!signal.aborted) {
        let url: string;
        let batch: Message[];
        try {
          url = await resolveQueueUrl(signal);
          batch = await receiveBatch(url, signal);
          failures = 0;
        } catch (error) {
          if (signal.aborted) return;
          failures += 1;
          // A drain (one-shot ingest) gives up after a few tries; a server keeps trying.
          if (isPermanent(error) || (receiveOptions?.untilEmpty === true && failures > DRAIN_RETRIES))
            throw new Error(`SQS queue "${options.queueUrl}": ${(error as Error).message}`, { cause: error });
          const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
          warn(
            `SQS queue "${options.queueUrl}": receive failed (${(error as Error).message}); retrying in ${delay / 1000} s`,
          );
          await sleep(delay, undefined, { signal }).catch(() => undefined);
          continue;
        }
        // A long poll that comes back empty asked every SQS host: nothing is visible in the queue.
        if (batch.length === 0 && receiveOptions?.untilEmpty === true) return;
        for (const message of batch) {
          for (const queueMessage of await toQueueMessages(url, message)) yield queueMessage;
        }
      }
    },
  };
}

async function notifiedObject(s3: S3Client, object: NotifiedObject): Promise<SourceObject> {
  if (object.eTag !== undefined)
    return s3Object(s3, object.bucket, {
      Key: object.key,
      ETag: object.eTag,
      ...(object.size !== undefined ? { Size: object.size } : {}),
    });
  // CloudTrail's notifications name keys only; the ETag is what the listing source fingerprints with too.
  const head = await s3
    .send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }))
    .catch((error: Error) => {
      throw new Error(
        `s3://${object.bucket}/${object.key}: ${error.name === 'NotFound' ? 'no such object' : error.message}`,
      );
    });
  return s3Object(s3, object.bucket, {
    Key: object.key,
    ETag: head.ETag ?? '',
    ...(head.ContentLength !== undefined ? { Size: head.ContentLength } : {}),
  });
}

async function deleteMessage(sqs: SQSClient, queueUrl: string, message: Message): Promise<void> {
  try {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  } catch (error) {
    throw new Error(
      `could not delete SQS message ${message.MessageId ?? '?'}; it will be received again and its committed files skipped: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * The queue of an `sqs://` spec: `sqs://https://sqs.eu-west-1.amazonaws.com/123456789012/q` (any http(s) URL),
 * `sqs://sqs.eu-west-1.amazonaws.com/123456789012/q` (https assumed) or `sqs://q` (a name, resolved by GetQueueUrl).
 */
export function queueUrlFromSpec(spec: string): string {
  const rest = spec.replace(/^sqs:\/\//, '');
  if (rest === '' || rest === spec)
    throw new Error(`invalid SQS source "${spec}": expected sqs://QUEUE_URL or sqs://QUEUE_NAME`);
  if (/^https?:\/\/[^/]+\/./.test(rest)) return rest;
  if (/^[^/:]+\/\d{12}\/[\w-]+(\.fifo)?$/.test(rest)) return `https://${rest}`;
  if (/^[\w-]{1,80}(\.fifo)?$/.test(rest)) return rest;
  throw new Error(`invalid SQS source "${spec}": expected sqs://QUEUE_URL or sqs://QUEUE_NAME`);
}

/** `sqs.eu-west-1.amazonaws.com` and the legacy `eu-west-1.queue.amazonaws.com` carry the queue's region. */
export function regionOfQueueUrl(queueUrl: string): string | undefined {
  const host = /^https?:\/\/([^/]+)/.exec(queueUrl)?.[1] ?? '';
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(host)?.[1] ?? /^([a-z0-9-]+)\.queue\.amazonaws\.com/.exec(host)?.[1];
}

function isPermanent(error: unknown): boolean {
  const err = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (err.name === 'CredentialsProviderError') return true;
  const status = err.$metadata?.httpStatusCode;
  return status !== undefined && status >= 400 && status < 500 && status !== 429 && !/Throttl/.test(err.name ?? '');
}

function preview(body: string | undefined): string {
  const text = JSON.stringify(body ?? '');
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
