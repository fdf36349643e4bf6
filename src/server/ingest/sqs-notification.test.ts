import { describe, expect, it } from 'vitest';
import { decodeS3EventKey, parseNotification } from './sqs-notification.js';

const s3Event = (eventName: string, key: string, extra: object = {}) => ({
  Records: [
    {
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName,
      s3: { bucket: { name: 'trail' }, object: { key, ...extra } },
    },
  ],
});
const sns = (message: object | string) => ({
  Type: 'Notification',
  MessageId: 'b1',
  TopicArn: 'arn:aws:sns:eu-west-1:123456789012:trail',
  Message: typeof message === 'string' ? message : JSON.stringify(message),
});

describe('parseNotification', () => {
  it('reads a direct S3 event, decoding the key and unquoting the ETag', () => {
    const body = JSON.stringify(
      s3Event('ObjectCreated:Put', 'AWSLogs/a+b%2Bc%3D.json.gz', { eTag: '"abc"', size: 12 }),
    );
    expect(parseNotification(body)).toEqual({
      kind: 'objects',
      objects: [{ bucket: 'trail', key: 'AWSLogs/a b+c=.json.gz', eTag: 'abc', size: 12 }],
    });
  });

  it('reads an SNS-wrapped S3 event and a CloudTrail notification, direct or wrapped', () => {
    expect(
      parseNotification(
        JSON.stringify(sns(s3Event('ObjectCreated:CompleteMultipartUpload', 'k.json.gz', { eTag: 'e1' }))),
      ),
    ).toEqual({
      kind: 'objects',
      objects: [{ bucket: 'trail', key: 'k.json.gz', eTag: 'e1' }],
    });
    const cloudTrail = { s3Bucket: 'trail', s3ObjectKey: ['AWSLogs/1 2.json.gz', 'b.json.gz'] };
    const expected = {
      kind: 'objects',
      objects: [
        { bucket: 'trail', key: 'AWSLogs/1 2.json.gz' },
        { bucket: 'trail', key: 'b.json.gz' },
      ],
    };
    expect(parseNotification(JSON.stringify(cloudTrail))).toEqual(expected);
    expect(parseNotification(JSON.stringify(sns(cloudTrail)))).toEqual(expected);
  });

  it('has nothing to read in test events, confirmations and removals', () => {
    const test = { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-01-05T10:00:00.000Z', Bucket: 'trail' };
    expect(parseNotification(JSON.stringify(test))).toEqual({ kind: 'empty', reason: 'an s3:TestEvent' });
    expect(parseNotification(JSON.stringify(sns(test)))).toEqual({ kind: 'empty', reason: 'an s3:TestEvent' });
    expect(
      parseNotification(
        JSON.stringify({ Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.example/confirm' }),
      ),
    ).toEqual({
      kind: 'empty',
      reason: 'an SNS subscription confirmation (confirm it at https://sns.example/confirm)',
    });
    expect(parseNotification(JSON.stringify(s3Event('ObjectRemoved:Delete', 'k')))).toEqual({
      kind: 'empty',
      reason: 'an S3 event with no ObjectCreated record',
    });
  });

  it.each([
    ['plain text', 'hello', 'the body is not JSON'],
    ['no body', undefined, 'the body is not JSON'],
    ['an SNS message that is not JSON', JSON.stringify(sns('not json')), 'the SNS Message is not JSON'],
    [
      'an SNS unsubscribe',
      JSON.stringify({ Type: 'UnsubscribeConfirmation' }),
      'an SNS message of type "UnsubscribeConfirmation" without a notification in it',
    ],
    [
      'a record without a key',
      JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: {} } }] }),
      /\/Records\/0\/s3\/object\/key/,
    ],
    ['an array', '[1]', /got an array/],
    [
      'a bad percent escape',
      JSON.stringify(s3Event('ObjectCreated:Put', 'a%zz')),
      'the object key "a%zz" is not valid URL encoding',
    ],
  ])('rejects %s', (_, body, reason) => {
    const result = parseNotification(body);
    expect(result.kind).toBe('invalid');
    expect(result.kind === 'invalid' && result.reason).toMatch(reason);
  });
});

describe('decodeS3EventKey', () => {
  it('turns + into spaces before percent-decoding', () => {
    expect(decodeS3EventKey('a+b%2B%20c')).toBe('a b+ c');
  });
});
