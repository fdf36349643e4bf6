/**
 * A polled local folder: after a full pass, a leaf folder (a CloudTrail day folder) whose mtime has not changed
 * is skipped unread, once its files have settled; a folder with a new file, a folder still being written and a
 * folder with a file that could not be read are listed again.
 */
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { emptySummary, ingestListing } from '../../src/server/ingest/ingest.js';
import { ListingPoller } from '../../src/server/ingest/listing-poller.js';
import { createLocalSource, SETTLE_MS } from '../../src/server/ingest/local.js';
import { createInlineProcessor } from '../../src/server/ingest/processor.js';
import type { ListingSource } from '../../src/server/ingest/source.js';
import { expectNoRuleErrors, memoryStore, tempDir } from './helpers.js';

const HOUR = 3600_000;
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let next = 0;
/** Writes a delivery file; `settled` back-dates it past the settle time. */
function deliver(folder: string, settled = true): string {
  next += 1;
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `123456789012_CloudTrail_eu-west-1_20240501T1000Z_${next}.json.gz`);
  const record = {
    eventID: `e-${next}`,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'eu-west-1',
    recipientAccountId: '123456789012',
  };
  writeFileSync(path, gzipSync(JSON.stringify({ Records: [record] })));
  if (settled) {
    const past = new Date(Date.now() - SETTLE_MS - 60_000);
    utimesSync(path, past, past);
  }
  return path;
}

describe('polling a local folder', () => {
  it('skips unchanged day folders and lists changed ones', async () => {
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const store = await memoryStore();
    cleanups.push(() => store.close());
    const processor = createInlineProcessor(undefined);
    cleanups.push(() => processor.close());
    const day = (d: string) => join(dir.path, 'AWSLogs/123456789012/CloudTrail/eu-west-1/2024/05', d);
    deliver(day('01'));
    deliver(day('01'));
    deliver(day('02'));
    const local = createLocalSource(dir.path);
    let unreadable = '';
    const source: ListingSource = {
      ...local,
      async *list(filter, signal, incremental) {
        for await (const object of local.list(filter, signal, incremental))
          yield object.path === unreadable
            ? { ...object, path: undefined, read: () => Promise.reject(new Error('EIO: i/o error, read')) }
            : object;
      },
    };
    let clock = 0;
    const poller = new ListingPoller(source, 6 * HOUR, () => clock);
    async function poll() {
      clock += 60_000;
      const summary = emptySummary();
      const pass = poller.pass();
      await ingestListing(pass, {}, { store, processor, summary, skipFailedBefore: true });
      pass.complete();
      expectNoRuleErrors(summary);
      return { full: pass.full, files: summary.files, ingested: summary.filesIngested, failed: summary.filesFailed };
    }

    expect(await poll()).toEqual({ full: true, files: 3, ingested: 3, failed: 0 });
    expect(await poll()).toEqual({ full: false, files: 0, ingested: 0, failed: 0 });
    deliver(day('01'));
    expect(await poll()).toEqual({ full: false, files: 3, ingested: 1, failed: 0 });
    expect(await poll()).toEqual({ full: false, files: 0, ingested: 0, failed: 0 });

    // A file written just now may still be growing: its folder is listed until the file has settled.
    const fresh = deliver(day('03'), false);
    expect(await poll()).toEqual({ full: false, files: 1, ingested: 1, failed: 0 });
    expect(await poll()).toEqual({ full: false, files: 1, ingested: 0, failed: 0 });
    const past = new Date(Date.now() - SETTLE_MS - 60_000);
    utimesSync(fresh, past, past);
    // Its fingerprint (size, mtime) changed, so it is read again; the violation is a duplicate.
    expect(await poll()).toEqual({ full: false, files: 1, ingested: 1, failed: 0 });
    expect(await poll()).toEqual({ full: false, files: 0, ingested: 0, failed: 0 });

    // A file that cannot be read keeps its folder listed, so it is tried again at every poll.
    unreadable = deliver(day('04'));
    expect(await poll()).toEqual({ full: false, files: 1, ingested: 0, failed: 1 });
    expect(await poll()).toEqual({ full: false, files: 1, ingested: 0, failed: 1 });
    unreadable = '';
    expect(await poll()).toEqual({ full: false, files: 1, ingested: 1, failed: 0 });
    expect(await poll()).toEqual({ full: false, files: 0, ingested: 0, failed: 0 });

    clock += 6 * HOUR;
    expect(await poll()).toEqual({ full: true, files: 6, ingested: 0, failed: 0 });
  });
});
