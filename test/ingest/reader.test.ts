import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { CloudTrailFormatError, parseBuffer } from '../../src/server/ingest/cloudtrail.js';
import { parseStream } from '../../src/server/ingest/cloudtrail-stream.js';
import { evaluateBytes } from '../../src/server/ingest/processor.js';
import { createEvaluator } from '../../src/server/rules/index.js';
import { resolveRulesConfig } from '../../src/server/rules/config.js';

const evaluate = createEvaluator(resolveRulesConfig());
const record = (id: string, region = 'us-east-1') => ({
  eventVersion: '1.08',
  eventID: id,
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: region,
  recipientAccountId: '123456789012',
  requestParameters: { name: 't' },
});
const envelope = (detail: unknown) => ({
  version: '0',
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.cloudtrail',
  detail,
});
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

async function both(input: Uint8Array) {
  const fast = parseBuffer(input, evaluate);
  const streamed = await parseStream(Readable.from([Buffer.from(input)]), evaluate);
  return { fast, streamed };
}

describe('reading CloudTrail files', () => {
  const shapes: Array<[string, string]> = [
    ['a delivery file', JSON.stringify({ Records: [record('a'), record('b')] })],
    ['a JSON array of records', JSON.stringify([record('a'), record('b')])],
    ['NDJSON', `${JSON.stringify(record('a'))}\n${JSON.stringify(envelope(record('b')))}\n`],
    [
      'NDJSON of whole deliveries',
      `${JSON.stringify({ Records: [record('a')] })}\n${JSON.stringify({ Records: [record('b')] })}\n`,
    ],
  ];
  for (const [name, text] of shapes) {
    it(`reads ${name}, plain or gzipped, at once or streamed`, async () => {
      for (const input of [bytes(text), new Uint8Array(gzipSync(text))]) {
        const { fast, streamed } = await both(input);
        expect(fast).toMatchObject({ records: 2, badRecords: 0 });
        expect(fast?.drafts.map((d) => d.eventId)).toEqual(['a', 'b']);
        expect(streamed).toEqual(fast);
      }
    });
  }

  it('fails a streamed file with more JSON after its records array, instead of dropping what follows', async () => {
    const text = `${JSON.stringify({ Records: [record('a')] })} ${JSON.stringify({ Records: [record('b')] })}`;
    await expect(parseStream(Readable.from([Buffer.from(text)]), evaluate)).rejects.toThrow(CloudTrailFormatError);
    const array = `${JSON.stringify([record('a')])} 42`;
    await expect(parseStream(Readable.from([Buffer.from(array)]), evaluate)).rejects.toThrow(
      /more JSON follows the records array/,
    );
    const trailingSpace = `${JSON.stringify({ Records: [record('a')] })}\n  \n`;
    expect(await parseStream(Readable.from([Buffer.from(trailingSpace)]), evaluate)).toMatchObject({
      records: 1,
      badRecords: 0,
    });
  });

  it('reads one record and one EventBridge envelope', () => {
    expect(parseBuffer(bytes(JSON.stringify(record('a'))), evaluate)).toMatchObject({
      records: 1,
      drafts: [{ eventId: 'a', type: 'CLOUDTRAIL_TAMPERING' }],
    });
    expect(parseBuffer(bytes(JSON.stringify(envelope(record('b')))), evaluate)).toMatchObject({
      records: 1,
      drafts: [{ eventId: 'b' }],
    });
  });

  it('reads an empty delivery file', () => {
    expect(parseBuffer(bytes('{"Records":[]}'), evaluate)).toEqual({
      records: 0,
      badRecords: 0,
      ruleErrors: 0,
      ruleErrorSamples: [],
      drafts: [],
      deferred: [],
    });
  });

  it('keeps the good records of a file with bad ones and counts the bad ones', async () => {
    const text = JSON.stringify({
      Records: [record('a'), 42, { eventName: 'X' }, { ...record('c'), recipientAccountId: undefined }, record('d')],
    });
    const { fast, streamed } = await both(bytes(text));
    expect(fast).toMatchObject({ records: 2, badRecords: 3 });
    expect(streamed).toEqual(fast);
    expect(parseBuffer(bytes(`${JSON.stringify(record('a'))}\n{broken\n`), evaluate)).toMatchObject({
      records: 1,
      badRecords: 1,
    });
  });

  const failures: Array<[string, Uint8Array, RegExp]> = [
    [
      'truncated gzip',
      new Uint8Array(gzipSync(JSON.stringify({ Records: [record('a')] })).subarray(0, 30)),
      /^corrupt or truncated gzip: /,
    ],
    ['invalid JSON', bytes('{"Records": [ {"eventID": '), /^invalid JSON: /],
    ['an empty file', bytes('  \n'), /^empty file/],
    ['a number', bytes('42'), /^not CloudTrail: .*got a number/],
    ['an unrelated object', bytes('{"foo": 1}'), /^not CloudTrail: .*got an object with keys "foo"/],
    [
      'Records that is not a list',
      bytes('{"Records": {}}'),
      /^not CloudTrail: "Records" is an empty object, not an array/,
    ],
    ['an array of non-records', bytes('[1, 2]'), /^not CloudTrail: a JSON array without any CloudTrail record/],
  ];
  for (const [name, input, reason] of failures) {
    it(`fails ${name} with a precise reason`, async () => {
      await expect(evaluateBytes(input, evaluate)).rejects.toThrow(reason);
      await expect(evaluateBytes(input, evaluate)).rejects.toBeInstanceOf(CloudTrailFormatError);
    });
  }

  it('streams records whose strings hold brackets, commas, quotes and escapes', async () => {
    const tricky = { ...record('a'), requestParameters: { name: 'x],[{"y":1},\\"}', note: '\u00e9 \\ \\\\' } };
    const text = JSON.stringify({ Records: [tricky, record('b')] }, null, 2);
    const streamed = await parseStream(
      Readable.from([Buffer.from(text.slice(0, 50)), Buffer.from(text.slice(50))]),
      evaluate,
    );
    expect(streamed).toEqual(parseBuffer(bytes(text), evaluate));
    expect(streamed.drafts.map((d) => d.metaInfo)).toEqual([
      expect.objectContaining({ trail: 'x],[{"y":1},\\"}' }),
      expect.objectContaining({ trail: 't' }),
    ]);
  });

  it('counts a malformed element of a streamed file as a bad record, and fails a truncated one', async () => {
    const text = `{"Records": [${JSON.stringify(record('a'))}, {"eventID": nope}, ${JSON.stringify(record('b'))}]}`;
    expect(await parseStream(Readable.from([Buffer.from(text)]), evaluate)).toMatchObject({
      records: 2,
      badRecords: 1,
    });
    await expect(parseStream(Readable.from([Buffer.from(text.slice(0, 80))]), evaluate)).rejects.toThrow(
      /^invalid JSON: the file ends inside the records array/,
    );
  });

  it('streams a file that decompresses beyond the fast-path limit', async () => {
    const many = Array.from({ length: 60_000 }, (_, i) => record(`id-${i}`, 'eu-west-1'));
    const padded = JSON.stringify({ Records: many.map((r) => ({ ...r, padding: 'x'.repeat(400) })) });
    const input = new Uint8Array(gzipSync(padded));
    expect(parseBuffer(input, evaluate)).toBeUndefined();
    const result = await evaluateBytes(input, evaluate);
    expect(result.records).toBe(60_000);
    expect(result.drafts).toHaveLength(60_000);
  });
});
