import { createHash } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createS3Source, parseS3Url } from '../../src/server/ingest/s3.js';
import type { ListingSource, SourceFilter, SourceObject } from '../../src/server/ingest/source.js';
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../helpers/s3-server.js';

const ORG = 'o-a1b2c3d4e5';
const A1 = '111111111111';
const A2 = '222222222222';
const A3 = '333333333333';

function trailKey(account: string, region: string, day: string, n = 1, org?: string): string {
  const compact = day.replaceAll('/', '');
  return `trail/AWSLogs/${org ? `${org}/` : ''}${account}/CloudTrail/${region}/${day}/${account}_CloudTrail_${region}_${compact}T0000Z_${n}.json.gz`;
}

function record(account: string, region: string, id: string): object {
  return {
    eventVersion: '1.08',
    eventID: id,
    eventName: 'RunInstances',
    awsRegion: region,
    recipientAccountId: account,
    eventTime: '2024-01-05T10:00:00Z',
  };
}

const KEYS = [
  trailKey(A1, 'eu-west-1', '2024/01/04'),
  trailKey(A1, 'eu-west-1', '2024/01/05'),
  trailKey(A1, 'eu-west-1', '2024/01/07'),
  trailKey(A1, 'eu-west-1', '2024/01/09'),
  trailKey(A1, 'us-east-1', '2024/01/05'),
  trailKey(A2, 'eu-central-1', '2024/01/05'),
  trailKey(A3, 'eu-west-1', '2024/01/05', 1, ORG),
  trailKey(A3, 'us-east-1', '2024/01/06', 1, ORG),
];
const DIGEST = `trail/AWSLogs/${A1}/CloudTrail-Digest/eu-west-1/2024/01/05/${A1}_CloudTrail-Digest_eu-west-1_x.json.gz`;
const STRAY = 'trail/notes.json';

let s3: TestS3Server;
const etags = new Map<string, string>();

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket('logs');
  await s3.createBucket('other');
  for (const [i, key] of KEYS.entries()) {
    const parts = key.split('/');
    await s3.putTrail('logs', key, [
      record(
        parts[2] === ORG ? parts[3]! : parts[2]!,
        key.includes('us-east-1') ? 'us-east-1' : 'eu-west-1',
        `id-${i}`,
      ),
    ]);
  }
  await s3.put('logs', DIGEST, '{"digestStartTime":"2024-01-05T00:00:00Z"}');
  await s3.put('logs', STRAY, '{"Records":[]}');
  await s3.put(
    'logs',
    'elsewhere/AWSLogs/999999999999/CloudTrail/eu-west-1/2024/01/05/x.json.gz',
    'outside the prefix',
  );
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: 'logs' }));
  for (const o of listed.Contents ?? []) etags.set(o.Key!, o.ETag!);
});

afterAll(async () => {
  await s3?.close();
});

beforeEach(() => {
  // The source resolves credentials through the SDK's default chain, like a real deployment.
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_PROFILE', '');
  s3.clearLog();
});

function source(url = 's3://logs/trail'): ListingSource {
  return createS3Source({ url, endpoint: s3.endpoint });
}

async function collect(src: ListingSource, filter: SourceFilter = {}, signal?: AbortSignal): Promise<SourceObject[]> {
  const out: SourceObject[] = [];
  for await (const object of src.list(filter, signal)) out.push(object);
  return out;
}

const keysOf = (objects: SourceObject[]) => objects.map((o) => o.key).sort();

describe('createS3Source', () => {
  it('lists the whole prefix without a filter, skipping digests, and fingerprints each object by ETag', async () => {
    const objects = await collect(source());
    expect(keysOf(objects)).toEqual([...KEYS, STRAY].sort());
    for (const object of objects) {
      expect(object.fingerprint).toBe(etags.get(object.key)!.replaceAll('"', ''));
      expect(object.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(s3.listRequests()).toEqual([{ bucket: 'logs', prefix: 'trail/' }]);
  });

  it('names itself s3://bucket/prefix, without a trailing slash', () => {
    expect(source('s3://logs/trail/').url).toBe('s3://logs/trail');
    expect(source('s3://logs/').url).toBe('s3://logs');
  });

  it('opens an object as the stored gzip bytes', async () => {
    const [object] = (await collect(source(), { accounts: [A2] })) as [SourceObject];
    const raw = Buffer.concat(await (await object.open()).toArray());
    expect(createHash('md5').update(raw).digest('hex')).toBe(object.fingerprint);
    expect(object.size).toBe(raw.length);
    expect(JSON.parse(gunzipSync(raw).toString('utf8'))).toEqual({ Records: [record(A2, 'eu-west-1', 'id-5')] });
  });

  it('lists only the named accounts and regions, plain and organisation trails alike', async () => {
    const objects = await collect(source(), { accounts: [A1, A3], regions: ['eu-west-1'] });
    expect(keysOf(objects)).toEqual([KEYS[0], KEYS[1], KEYS[2], KEYS[3], KEYS[6]].sort());
    expect(s3.listRequests()).toEqual([
      { bucket: 'logs', prefix: 'trail/AWSLogs/', delimiter: '/' },
      { bucket: 'logs', prefix: `trail/AWSLogs/${A1}/CloudTrail/eu-west-1/` },
      { bucket: 'logs', prefix: `trail/AWSLogs/${ORG}/`, delimiter: '/' },
      { bucket: 'logs', prefix: `trail/AWSLogs/${ORG}/${A3}/CloudTrail/eu-west-1/` },
    ]);
  });

  it('starts each region at the since day and stops after the until day', async () => {
    const filter = { accounts: [A1], since: new Date('2024-01-05T08:00:00Z'), until: new Date('2024-01-06T08:00:00Z') };
    const objects = await collect(source(), filter);
    // 2024/01/07 is kept: the day after `until` holds that day's late deliveries. 01/04 and 01/09 are outside.
    expect(keysOf(objects)).toEqual([KEYS[1], KEYS[2], KEYS[4]].sort());
    expect(s3.listRequests()).toEqual([
      { bucket: 'logs', prefix: 'trail/AWSLogs/', delimiter: '/' },
      { bucket: 'logs', prefix: `trail/AWSLogs/${A1}/CloudTrail/`, delimiter: '/' },
      {
        bucket: 'logs',
        prefix: `trail/AWSLogs/${A1}/CloudTrail/eu-west-1/`,
        startAfter: `trail/AWSLogs/${A1}/CloudTrail/eu-west-1/2024/01/05`,
      },
      {
        bucket: 'logs',
        prefix: `trail/AWSLogs/${A1}/CloudTrail/us-east-1/`,
        startAfter: `trail/AWSLogs/${A1}/CloudTrail/us-east-1/2024/01/05`,
      },
      { bucket: 'logs', prefix: `trail/AWSLogs/${ORG}/`, delimiter: '/' },
    ]);
  });

  it('discovers the accounts of an organisation trail when only regions are given', async () => {
    const objects = await collect(source(`s3://logs/trail/AWSLogs/${ORG}/`), { regions: ['us-east-1'] });
    expect(keysOf(objects)).toEqual([KEYS[7]]);
    expect(s3.listRequests()).toEqual([
      { bucket: 'logs', prefix: `trail/AWSLogs/${ORG}/`, delimiter: '/' },
      { bucket: 'logs', prefix: `trail/AWSLogs/${ORG}/${A3}/CloudTrail/us-east-1/` },
    ]);
  });

  it('finds nothing in an empty bucket or an unknown account', async () => {
    expect(await collect(createS3Source({ url: 's3://other', endpoint: s3.endpoint }))).toEqual([]);
    expect(await collect(source(), { accounts: ['444444444444'] })).toEqual([]);
  });

  it('takes the endpoint from FULLSTOP_S3_ENDPOINT', async () => {
    vi.stubEnv('FULLSTOP_S3_ENDPOINT', s3.endpoint);
    const objects = await collect(createS3Source({ url: 's3://logs/trail/' }), { accounts: [A2] });
    expect(keysOf(objects)).toEqual([KEYS[5]]);
  });

  it('ends the listing quietly when the signal aborts', async () => {
    const controller = new AbortController();
    const objects: SourceObject[] = [];
    for await (const object of source().list({ accounts: [A1] }, controller.signal)) {
      objects.push(object);
      controller.abort();
    }
    expect(objects).toHaveLength(1);
    expect(s3.listRequests()).toHaveLength(2);
  });

  it('reports a missing bucket as an error naming it', async () => {
    await expect(collect(createS3Source({ url: 's3://missing-bucket', endpoint: s3.endpoint }))).rejects.toThrow(
      /bucket/i,
    );
  });

  it('reads an object with the SDK default credential chain, not only explicit credentials', async () => {
    const objects = await collect(
      createS3Source({ url: 's3://logs/trail', endpoint: s3.endpoint, region: 'eu-west-1' }),
      { accounts: [A2] },
    );
    expect(await text(await objects[0]!.open())).not.toBe('');
  });
});

describe('parseS3Url', () => {
  it.each([
    ['s3://logs', { bucket: 'logs', prefix: '' }],
    ['s3://logs/', { bucket: 'logs', prefix: '' }],
    ['s3://logs/a/b', { bucket: 'logs', prefix: 'a/b/' }],
  ])('%s', (url, expected) => expect(parseS3Url(url)).toEqual(expected));

  it.each([
    ['http://logs/x', /expected s3:\/\/bucket/],
    ['s3://', /is not a bucket name/],
    ['s3://bad bucket/x', /is not a bucket name/],
  ])('rejects %s', (url, message) => expect(() => parseS3Url(url)).toThrow(message));

  it('rejects an endpoint that is not an http URL', () => {
    expect(() => createS3Source({ url: 's3://logs', endpoint: 'localhost:9000' })).toThrow(/expected an http/);
  });
});
