/**
 * A polled S3 prefix (`fullstop server --ingest s3://…`) against a real S3-compatible server: after a first full
 * listing, each poll walks the layout's folders and lists every region from a quarter of an hour before its last
 * key (StartAfter), so it lists the few newest keys instead of the whole prefix; a full listing comes back only
 * after the configured interval, or on every poll when the prefix holds keys outside the layout.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { emptySummary, ingestListing } from '../../src/server/ingest/ingest.js';
import { ListingPoller } from '../../src/server/ingest/listing-poller.js';
import { createInlineProcessor } from '../../src/server/ingest/processor.js';
import { createS3Source } from '../../src/server/ingest/s3.js';
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../helpers/s3-server.js';
import { expectNoRuleErrors, memoryStore } from './helpers.js';

const A1 = '111111111111';
const A2 = '222222222222';
const ORG = 'o-a1b2c3d4e5';
const HOUR = 3600_000;

/** `trail/AWSLogs/[org/]account/CloudTrail/region/2024/05/01/account_CloudTrail_region_20240501THHmmZ_n.json.gz` */
function key(account: string, region: string, time: string, n = 1, org?: string): string {
  return `trail/AWSLogs/${org ? `${org}/` : ''}${account}/CloudTrail/${region}/2024/05/01/${account}_CloudTrail_${region}_20240501T${time}Z_${n}.json.gz`;
}
const regionFolder = (account: string, region: string, org?: string) =>
  `trail/AWSLogs/${org ? `${org}/` : ''}${account}/CloudTrail/${region}/`;

let s3: TestS3Server;
let next = 0;
async function put(k: string): Promise<void> {
  next += 1;
  await s3.putTrail('poll', k, [
    {
      eventID: `e-${next}`,
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'eu-west-1',
      recipientAccountId: A1,
      requestParameters: { name: 'main' },
    },
  ]);
}

beforeAll(async () => {
  s3 = await startS3Server();
  await s3.createBucket('poll');
  for (const k of [
    key(A1, 'eu-west-1', '1000'),
    key(A1, 'eu-west-1', '1030'),
    key(A1, 'us-east-1', '1000'),
    key(A2, 'eu-west-1', '0005', 1, ORG),
  ])
    await put(k);
});
afterAll(async () => {
  await s3?.close();
});
beforeEach(() => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', TEST_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', TEST_CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
});

describe('polling an S3 prefix', () => {
  it('lists only what may be new between full listings, and everything again after the interval', async () => {
    const store = await memoryStore();
    const processor = createInlineProcessor(undefined);
    let clock = 0;
    const poller = new ListingPoller(
      createS3Source({ url: 's3://poll/trail', endpoint: s3.endpoint }),
      6 * HOUR,
      () => clock,
    );
    async function poll() {
      s3.clearLog();
      const summary = emptySummary();
      const pass = poller.pass();
      await ingestListing(pass, {}, { store, processor, summary, skipFailedBefore: true });
      pass.complete();
      expectNoRuleErrors(summary);
      return { full: pass.full, summary, lists: s3.listRequests() };
    }

    const first = await poll();
    expect(first.full).toBe(true);
    expect(first.lists).toEqual([{ bucket: 'poll', prefix: 'trail/' }]);
    expect(first.summary).toMatchObject({ files: 4, filesIngested: 4 });

    // Nothing new: the layout is walked and each region listed from 15 minutes before its newest key.
    clock += 60_000;
    const idle = await poll();
    expect(idle.full).toBe(false);
    expect(idle.lists).toEqual([
      { bucket: 'poll', prefix: 'trail/AWSLogs/', delimiter: '/' },
      { bucket: 'poll', prefix: `trail/AWSLogs/${A1}/CloudTrail/`, delimiter: '/' },
      {
        bucket: 'poll',
        prefix: regionFolder(A1, 'eu-west-1'),
        startAfter: `${regionFolder(A1, 'eu-west-1')}2024/05/01/${A1}_CloudTrail_eu-west-1_20240501T1015`,
      },
      {
        bucket: 'poll',
        prefix: regionFolder(A1, 'us-east-1'),
        startAfter: `${regionFolder(A1, 'us-east-1')}2024/05/01/${A1}_CloudTrail_us-east-1_20240501T0945`,
      },
      { bucket: 'poll', prefix: `trail/AWSLogs/${ORG}/`, delimiter: '/' },
      { bucket: 'poll', prefix: `trail/AWSLogs/${ORG}/${A2}/CloudTrail/`, delimiter: '/' },
      {
        bucket: 'poll',
        // 00:05 less a quarter of an hour is the day before: the listing starts in that day's folder.
        prefix: regionFolder(A2, 'eu-west-1', ORG),
        startAfter: `${regionFolder(A2, 'eu-west-1', ORG)}2024/04/30/${A2}_CloudTrail_eu-west-1_20240430T2350`,
      },
    ]);
    // Only the newest key of each region was listed again.
    expect(idle.summary).toMatchObject({ files: 3, filesIngested: 0, filesAlreadyIngested: 3 });

    // New keys: a later one, one a little out of order (inside the quarter hour), a new region; and a far
    // straggler, older than the quarter hour, that only the next full listing finds.
    await put(key(A1, 'eu-west-1', '1100'));
    await put(key(A1, 'eu-west-1', '1020'));
    await put(key(A1, 'ap-south-1', '0900'));
    await put(key(A1, 'eu-west-1', '0930'));
    clock += 60_000;
    const grown = await poll();
    expect(grown.full).toBe(false);
    expect(grown.summary).toMatchObject({ filesIngested: 3 });
    expect(grown.lists.find((l) => l.prefix === regionFolder(A1, 'ap-south-1'))).toEqual({
      bucket: 'poll',
      prefix: regionFolder(A1, 'ap-south-1'),
    });
    clock += 60_000;
    expect((await poll()).summary).toMatchObject({ filesIngested: 0 });

    clock += 6 * HOUR;
    const full = await poll();
    expect(full.full).toBe(true);
    expect(full.lists).toEqual([{ bucket: 'poll', prefix: 'trail/' }]);
    expect(full.summary).toMatchObject({ files: 8, filesIngested: 1 });
    await processor.close();
    await store.close();
  });

  it('lists everything on every poll when the prefix holds keys outside the layout', async () => {
    await s3.put('poll', 'loose/export.json', '{"Records": []}');
    const store = await memoryStore();
    const processor = createInlineProcessor(undefined);
    const poller = new ListingPoller(createS3Source({ url: 's3://poll/loose', endpoint: s3.endpoint }), 6 * HOUR);
    for (const expected of [1, 0, 0]) {
      s3.clearLog();
      const summary = emptySummary();
      const pass = poller.pass();
      await ingestListing(pass, {}, { store, processor, summary });
      pass.complete();
      expect(summary).toMatchObject({ files: 1, filesIngested: expected });
      expect(s3.listRequests()).toEqual([{ bucket: 'poll', prefix: 'loose/' }]);
    }
    await processor.close();
    await store.close();
  });
});
