/**
 * The limits of the streaming reader, with small limits so that they are quick to reach: a record too long to
 * hold is skipped as bad while the records around it are kept (array and NDJSON), and a file that yields too much
 * text is failed instead of read for minutes. Before these limits, a 10 GiB gzip bomb of blanks inside the records
 * array (or one endless NDJSON line) was gathered into memory until Node refused a buffer that large: 11 GB of
 * peak memory and 2.5 minutes for the corpus of malformed-cloudtrail.test.ts.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CloudTrailFormatError } from '../../src/server/ingest/cloudtrail.js';
import { parseStream, STREAM_LIMITS } from '../../src/server/ingest/cloudtrail-stream.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';
import { createEvaluator } from '../../src/server/rules/index.js';

const evaluate = createEvaluator(resolveRulesConfig());
const record = (eventID: string, extra: Record<string, unknown> = {}) => ({
  eventID,
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'eu-west-1',
  recipientAccountId: '123456789012',
  ...extra,
});
const limits = { maxTextBytes: 64 * 1024, maxRecordBytes: 1024 };
/** Chunks of at most 100 bytes, so that records and lines straddle chunk boundaries. */
const chunked = (bytes: Buffer) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / 100) }, (_, i) => bytes.subarray(i * 100, i * 100 + 100)),
  );

describe('streaming reader limits', () => {
  const long = record('long', { userAgent: 'x'.repeat(5000) });
  const files: Array<[string, string]> = [
    ['{"Records": [...]}', JSON.stringify({ Records: [record('a'), long, record('b')] })],
    ['a JSON array', JSON.stringify([record('a'), long, record('b')])],
    ['NDJSON', [record('a'), long, record('b')].map((r) => JSON.stringify(r)).join('\n')],
  ];
  for (const [shape, text] of files) {
    it(`skips a record over the limit as bad and keeps the others (${shape})`, async () => {
      const result = await parseStream(chunked(Buffer.from(text)), evaluate, undefined, limits);
      expect(result).toMatchObject({ records: 2, badRecords: 1 });
      expect(result.drafts.map((d) => d.eventId)).toEqual(['a', 'b']);
      // Under the default limits the same record is kept.
      expect(await parseStream(chunked(Buffer.from(text)), evaluate)).toMatchObject({ records: 3, badRecords: 0 });
    });
  }

  it('counts blanks past the limit inside the array as one bad record, not as memory', async () => {
    const text = `{"Records":[${JSON.stringify(record('a'))},${' '.repeat(5000)}${JSON.stringify(record('b'))}]}`;
    expect(await parseStream(chunked(Buffer.from(text)), evaluate, undefined, limits)).toMatchObject({
      records: 1,
      badRecords: 1,
    });
  });

  it('fails a file that yields more text than the limit, plain or gzipped', async () => {
    const text = `{"Records":[${JSON.stringify(record('a'))},${' '.repeat(100_000)}]}`;
    await expect(parseStream(chunked(Buffer.from(text)), evaluate, undefined, limits)).rejects.toThrow(
      new CloudTrailFormatError('too large: more than 0.0625 MiB of text'),
    );
    await expect(parseStream(Readable.from([gzipSync(text)]), evaluate, undefined, limits)).rejects.toThrow(
      /^too large: more than .* of text once decompressed \(a gzip bomb\?\)$/,
    );
    expect(STREAM_LIMITS).toEqual({ maxTextBytes: 1024 ** 3, maxRecordBytes: 8 * 1024 ** 2 });
  });

  it('reads NDJSON lines across chunks, with a BOM, blank lines and a broken line', async () => {
    const text = `\uFEFF${JSON.stringify(record('a'))}\r\n\n{"eventID": "cut\n${JSON.stringify({ Records: [record('b'), record('c')] })}\n`;
    const result = await parseStream(chunked(Buffer.from(text)), evaluate, undefined, limits);
    expect(result).toMatchObject({ records: 3, badRecords: 1 });
    expect(result.drafts.map((d) => d.eventId)).toEqual(['a', 'b', 'c']);
  });
});
