/**
 * Continuous ingest from a queue while the store refuses writes: the message is not acknowledged (so the queue
 * delivers it again), the log says why, and once the store takes writes again the next delivery is committed once.
 * The refusal is the StoreWriteError a full disk gives (sqlite-store-trouble.test.ts produces it for real with a
 * tmpfs; a queue needs a queue server, so here the store's commit fails on purpose for a while). And a listing pass
 * that fails mid-way gives up every claim it holds, also on the files it had claimed and not yet started.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { startContinuousIngest } from '../../src/server/ingest/continuous.js';
import { emptySummary, ingestListing } from '../../src/server/ingest/ingest.js';
import { createLocalSource } from '../../src/server/ingest/local.js';
import { createInlineProcessor } from '../../src/server/ingest/processor.js';
import type { QueueMessage, QueueSource } from '../../src/server/ingest/source.js';
import { openStore } from '../../src/server/store/open-store.js';
import { storeWriteError } from '../../src/server/store/sqlite-write.js';

const dir = mkdtempSync(join(tmpdir(), 'fullstop-queue-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = {
  eventID: 'queued-1',
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'eu-west-1',
  recipientAccountId: '123456789012',
};

describe('continuous ingest from a queue when the store refuses writes', () => {
  it('leaves the message for redelivery, logs the trouble, and commits the next delivery once', async () => {
    const file = join(dir, 'delivery.json');
    writeFileSync(file, JSON.stringify({ Records: [record] }));
    const store = await openStore(`sqlite:${join(dir, 'queue.db')}`);
    let refusals = 2;
    const commitFiles = store.commitFiles.bind(store);
    store.commitFiles = async (files) => {
      if (refusals-- > 0)
        throw storeWriteError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
      return commitFiles(files);
    };
    let deliveries = 0;
    let acks = 0;
    const controller = new AbortController();
    const queue: QueueSource = {
      kind: 'queue',
      url: 'sqs://test-queue',
      async *receive(signal) {
        while (!signal.aborted && acks === 0) {
          deliveries += 1;
          const message: QueueMessage = {
            objectSource: 's3://bucket',
            objects: [
              {
                key: 'delivery.json',
                fingerprint: 'etag-1',
                open: async () => Readable.from([readFileSync(file)]),
              },
            ],
            ack: async () => {
              acks += 1;
              controller.abort();
            },
          };
          yield message;
        }
      },
    };
    const logs: Array<{ level: string; details: Record<string, unknown>; message: string }> = [];
    const log = (level: string) => (details: object, message: string) =>
      logs.push({ level, details: details as Record<string, unknown>, message });
    const running = startContinuousIngest({
      store,
      sources: [queue],
      logger: { info: log('info'), warn: log('warn'), error: log('error') },
      signal: controller.signal,
      pollIntervalMs: 20,
      workers: 0,
    });
    await running.done;
    const refused = logs.filter((l) => l.message.startsWith('queue message not ingested'));
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({
      level: 'error',
      message: 'queue message not ingested: could not write to the database; it is left for redelivery',
      details: { trouble: 'disk-full', reason: expect.stringContaining('the disk holding the database is full') },
    });
    expect({ deliveries, acks }).toEqual({ deliveries: 3, acks: 1 });
    const { content } = await store.listViolations(
      { createdBefore: Date.now() + 1000 },
      { page: 0, size: 10, sort: [] },
    );
    expect(content.map((v) => v.event_id)).toEqual(['queued-1']);
    await store.close();
  });
});

describe('a listing pass that fails mid-way', () => {
  it('gives up every claim it holds, so that the next pass reads every file', async () => {
    const logs = join(dir, 'listing');
    mkdirSync(logs);
    for (let i = 0; i < 100; i++)
      writeFileSync(
        join(logs, `f${String(i).padStart(3, '0')}.json`),
        JSON.stringify({ Records: [{ ...record, eventID: `listed-${i}` }] }),
      );
    const store = await openStore(`sqlite:${join(dir, 'listing.db')}`);
    const commitFiles = store.commitFiles.bind(store);
    let refusals = 1;
    store.commitFiles = async (files) => {
      if (refusals-- > 0) {
        // Fails once the next batch of files is claimed (64 a claim) and the first of them are being read.
        while (store.claimStatus().held <= files.length) await tick();
        throw storeWriteError(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
      }
      return commitFiles(files);
    };
    const source = createLocalSource(logs);
    const ctx = { store, processor: createInlineProcessor(undefined), summary: emptySummary() };
    await expect(ingestListing(source, {}, ctx)).rejects.toMatchObject({ trouble: 'disk-full' });
    expect(store.claimStatus().held).toBe(0);
    ctx.summary = emptySummary();
    await ingestListing(source, {}, ctx);
    expect(ctx.summary).toMatchObject({ files: 100, filesIngested: 100, filesClaimedElsewhere: 0 });
    await store.close();
  });
});
