/**
 * Reads the body of one SQS message into the S3 objects it announces. Accepted, each direct or wrapped in an
 * SNS envelope (`{"Type":"Notification","Message":"…"}`, i.e. SNS without raw message delivery):
 * - S3 event notifications `{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name"},"object":{"key","eTag","size"}}}]}`,
 *   whose keys are URL-encoded with `+` for spaces;
 * - CloudTrail's own notifications `{"s3Bucket":"…","s3ObjectKey":["…"]}` (keys not encoded);
 * - S3's `s3:TestEvent`, sent once when a notification is configured: nothing to read.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export interface NotifiedObject {
  bucket: string;
  key: string;
  /** ETag without quotes, when the notification carries it (S3 events do, CloudTrail's do not). */
  eTag?: string;
  size?: number;
}

export type Notification =
  | { kind: 'objects'; objects: NotifiedObject[] }
  /** Nothing to ingest, and nothing to retry: delete the message. */
  | { kind: 'empty'; reason: string }
  /** Not a notification we understand: leave the message to the queue's redrive policy. */
  | { kind: 'invalid'; reason: string };

const SnsEnvelope = Type.Object({
  Type: Type.String(),
  Message: Type.Optional(Type.String()),
  SubscribeURL: Type.Optional(Type.String()),
});
const S3TestEvent = Type.Object({ Event: Type.Literal('s3:TestEvent') });
const CloudTrailNotification = Type.Object({
  s3Bucket: Type.String({ minLength: 1 }),
  s3ObjectKey: Type.Array(Type.String({ minLength: 1 })),
});
const S3EventRecord = Type.Object({
  eventName: Type.String(),
  s3: Type.Object({
    bucket: Type.Object({ name: Type.String({ minLength: 1 }) }),
    object: Type.Object({
      key: Type.String({ minLength: 1 }),
      eTag: Type.Optional(Type.String()),
      size: Type.Optional(Type.Number()),
    }),
  }),
});
const S3Event = Type.Object({ Records: Type.Array(S3EventRecord) });

/** Parses one SQS message body; never throws. */
export function parseNotification(body: string | undefined): Notification {
  const parsed = parseJson(body ?? '');
  if (parsed === undefined) return { kind: 'invalid', reason: 'the body is not JSON' };
  if (Value.Check(SnsEnvelope, parsed)) return fromSns(parsed);
  return fromPayload(parsed);
}

function fromSns(envelope: Static<typeof SnsEnvelope>): Notification {
  if (envelope.Type === 'SubscriptionConfirmation') {
    return {
      kind: 'empty',
      reason: `an SNS subscription confirmation (confirm it at ${envelope.SubscribeURL ?? 'its SubscribeURL'})`,
    };
  }
  if (envelope.Type !== 'Notification' || envelope.Message === undefined) {
    return { kind: 'invalid', reason: `an SNS message of type "${envelope.Type}" without a notification in it` };
  }
  const inner = parseJson(envelope.Message);
  if (inner === undefined) return { kind: 'invalid', reason: 'the SNS Message is not JSON' };
  return fromPayload(inner);
}

function fromPayload(payload: unknown): Notification {
  if (Value.Check(S3TestEvent, payload)) return { kind: 'empty', reason: 'an s3:TestEvent' };
  if (Value.Check(CloudTrailNotification, payload)) {
    return { kind: 'objects', objects: payload.s3ObjectKey.map((key) => ({ bucket: payload.s3Bucket, key })) };
  }
  if (Value.Check(S3Event, payload)) return fromS3Event(payload);
  return {
    kind: 'invalid',
    reason: `neither an S3 event notification nor a CloudTrail notification (${firstError(payload)})`,
  };
}

function fromS3Event(event: Static<typeof S3Event>): Notification {
  const objects: NotifiedObject[] = [];
  for (const record of event.Records) {
    // Removals, restores and replication events name objects that are gone or not new.
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const { bucket, object } = record.s3;
    const key = decodeS3EventKey(object.key);
    if (key === undefined)
      return { kind: 'invalid', reason: `the object key "${object.key}" is not valid URL encoding` };
    objects.push({
      bucket: bucket.name,
      key,
      ...(object.eTag !== undefined ? { eTag: object.eTag.replace(/^"(.*)"$/, '$1') } : {}),
      ...(object.size !== undefined ? { size: object.size } : {}),
    });
  }
  if (objects.length === 0) return { kind: 'empty', reason: 'an S3 event with no ObjectCreated record' };
  return { kind: 'objects', objects };
}

/** S3 event keys are form-encoded: `+` is a space and `%2B` a plus. */
export function decodeS3EventKey(key: string): string | undefined {
  try {
    return decodeURIComponent(key.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}

function firstError(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return `got ${Array.isArray(payload) ? 'an array' : typeof payload}`;
  const error = Value.Errors(S3Event, payload).First();
  return error ? `${error.path || '/'}: ${error.message}` : 'unknown shape';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
