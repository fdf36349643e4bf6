/**
 * The bounded-memory path for files too large to parse at once: the bytes are gunzipped and split as a stream,
 * and each record is evaluated and dropped as soon as it is complete (array-splitter.ts, line-splitter.ts). Only
 * `{"Records": [...]}`, a JSON array and NDJSON are plausible at that size; anything else is reported as not
 * CloudTrail. Memory holds one record of at most `maxRecordBytes`, and a file is given up on once it has yielded
 * `maxTextBytes` of text: a gzip bomb (10 GB of zeros or blanks is 10 MB compressed) costs a bounded time too.
 */
import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import { createGunzip } from 'node:zlib';
import pLimit from 'p-limit';
import type { Evaluator } from '../rules/index.js';
import { CloudTrailFormatError, FileAccumulator, isGzip, type DeferPredicate, type FileResult } from './cloudtrail.js';
import { splitArray } from './array-splitter.js';
import { BAD_ELEMENT } from './bounded-element.js';
import { splitLines } from './line-splitter.js';

const SNIFF_BYTES = 64 * 1024;

export interface StreamLimits {
  /** Text (decompressed) read from one file before it is failed as too large. */
  maxTextBytes: number;
  /** A record (array element or NDJSON line) longer than this is skipped as bad without being held. */
  maxRecordBytes: number;
}

/**
 * Far beyond any real CloudTrail file (CloudTrail delivers every few minutes per region, and its records are
 * kilobytes), yet small enough that reading that much takes seconds and a record fits in memory many times.
 */
export const STREAM_LIMITS: StreamLimits = { maxTextBytes: 1024 ** 3, maxRecordBytes: 8 * 1024 ** 2 };

function size(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${bytes / 1024 ** 2} MiB`;
}

/** The chunks of `source`, failing the file once they add up to more than `max` bytes. */
async function* limited(source: AsyncIterable<Buffer>, max: number, gzip: boolean): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > max)
      throw new CloudTrailFormatError(
        `too large: more than ${size(max)} of text${gzip ? ' once decompressed (a gzip bomb?)' : ''}`,
      );
    yield chunk;
  }
}

/** Reads the first bytes of a stream and returns them with a stream that replays them before the rest. */
async function peek(source: AsyncIterable<Buffer>, wanted: number): Promise<{ head: Buffer; replay: Readable }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < wanted) {
    const next = await iterator.next();
    if (next.done === true) {
      done = true;
      break;
    }
    chunks.push(next.value);
    length += next.value.length;
  }
  const head = Buffer.concat(chunks);
  async function* replay() {
    yield head;
    if (done) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) return;
      yield next.value;
    }
  }
  return { head, replay: ReadableStream.from(replay(), { objectMode: false }) };
}

type Mode = { kind: 'array'; skip: number; wrapped: boolean } | { kind: 'lines' };

const ARRAY_START = /^\uFEFF?\s*\[/;
const RECORDS_START = /^\uFEFF?\s*\{\s*"Records"\s*:\s*\[/;

function modeOf(head: string): Mode {
  const text = head.replace(/^\uFEFF/, '').trimStart();
  if (text === '') throw new CloudTrailFormatError('empty file: no JSON value');
  // A first line that is a JSON value of its own, with more after it, is NDJSON, even when that line is a whole
  // `{"Records": [...]}` delivery: the fast path reads such files line by line too (`parseLines`).
  const newline = text.indexOf('\n');
  if (newline > 0 && text.slice(newline).trim() !== '') {
    try {
      JSON.parse(text.slice(0, newline));
      return { kind: 'lines' };
    } catch {
      // not NDJSON
    }
  }
  const array = ARRAY_START.exec(head);
  if (array) return { kind: 'array', skip: Buffer.byteLength(array[0]), wrapped: false };
  const records = RECORDS_START.exec(head);
  if (records) return { kind: 'array', skip: Buffer.byteLength(records[0]), wrapped: true };
  throw new CloudTrailFormatError(
    'not CloudTrail: a large file must be {"Records": [...]}, a JSON array of records or NDJSON',
  );
}

function translate(error: unknown): Error {
  if (error instanceof CloudTrailFormatError) return error;
  const err = error as NodeJS.ErrnoException;
  if (typeof err.code === 'string' && err.code.startsWith('Z_'))
    return new CloudTrailFormatError(`corrupt or truncated gzip: ${err.message}`);
  return new CloudTrailFormatError(`invalid JSON: ${err.message}`);
}

/**
 * Large files are streamed one at a time per thread: each may hold a record of up to `maxRecordBytes` several times
 * over (chunks, joined, decoded, parsed), and the pipeline has several files in flight.
 */
const oneAtATime = pLimit(1);

/** Streams one file of any size through the rules. */
export function parseStream(
  input: Readable,
  evaluate: Evaluator,
  defer?: DeferPredicate,
  limits: StreamLimits = STREAM_LIMITS,
): Promise<FileResult> {
  return oneAtATime(() => streamFile(input, evaluate, defer, limits));
}

async function streamFile(
  input: Readable,
  evaluate: Evaluator,
  defer: DeferPredicate | undefined,
  limits: StreamLimits,
): Promise<FileResult> {
  const into = new FileAccumulator(evaluate, defer);
  try {
    const raw = await peek(input, 2);
    const gzip = isGzip(raw.head);
    // 256 KiB pieces instead of zlib's 16 KiB: a sixteenth of the chunks through the splitters, 40 % less time.
    const decoded = gzip ? raw.replay.pipe(createGunzip({ chunkSize: 256 * 1024 })) : raw.replay;
    if (decoded !== raw.replay) raw.replay.on('error', (error) => decoded.destroy(error));
    const sniffed = await peek(limited(decoded, limits.maxTextBytes, gzip), SNIFF_BYTES);
    const mode = modeOf(sniffed.head.toString('utf8'));
    // NDJSON lines are read as the fast path reads them (`parseLines`): a record, or a whole delivery.
    const onValue =
      mode.kind === 'array'
        ? (value: unknown) => (value === BAD_ELEMENT ? (into.badRecords += 1) : into.add(value))
        : (value: unknown) => (value === BAD_ELEMENT ? (into.badRecords += 1) : into.addLine(value));
    if (mode.kind === 'array')
      await splitArray(sniffed.replay, mode.skip, onValue, {
        wrapped: mode.wrapped,
        maxElementBytes: limits.maxRecordBytes,
      });
    else await splitLines(sniffed.replay, onValue, limits.maxRecordBytes);
  } catch (error) {
    throw translate(error);
  } finally {
    // A file given up on mid-way must not keep its descriptor (or its gunzip) open.
    input.destroy();
  }
  return into.result();
}
