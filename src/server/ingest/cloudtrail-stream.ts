/**
 * The bounded-memory path for files too large to parse at once: the bytes are gunzipped and tokenised as a
 * stream, and each record is evaluated and dropped as soon as it is complete (array-splitter.ts). Only `{"Records": [...]}`,
 * a JSON array and NDJSON are plausible at that size; anything else is reported as not CloudTrail.
 */
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import JsonlParser from 'stream-json/jsonl/Parser.js';
import type { Evaluator } from '../rules/index.js';
import { CloudTrailFormatError, FileAccumulator, isGzip, type DeferPredicate, type FileResult } from './cloudtrail.js';
import { BAD_ELEMENT, splitArray } from './array-splitter.js';

const SNIFF_BYTES = 64 * 1024;
const BAD_LINE = Symbol('bad line');

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
  return { head, replay: Readable.from(replay(), { objectMode: false }) };
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

/** Hands each NDJSON line to the accumulator, which reads it as the fast path does (`parseLines`). */
function collector(into: FileAccumulator): Transform {
  return new Transform({
    objectMode: true,
    transform(chunk: { value: unknown }, _encoding, callback) {
      if (chunk.value === BAD_LINE) into.badRecords += 1;
      else into.addLine(chunk.value);
      callback();
    },
  });
}

function translate(error: unknown): Error {
  if (error instanceof CloudTrailFormatError) return error;
  const err = error as NodeJS.ErrnoException;
  if (typeof err.code === 'string' && err.code.startsWith('Z_'))
    return new CloudTrailFormatError(`corrupt or truncated gzip: ${err.message}`);
  return new CloudTrailFormatError(`invalid JSON: ${err.message}`);
}

/** Streams one file of any size through the rules. */
export async function parseStream(input: Readable, evaluate: Evaluator, defer?: DeferPredicate): Promise<FileResult> {
  const into = new FileAccumulator(evaluate, defer);
  try {
    const raw = await peek(input, 2);
    const text = isGzip(raw.head) ? raw.replay.pipe(createGunzip()) : raw.replay;
    if (text !== raw.replay) raw.replay.on('error', (error) => text.destroy(error));
    const sniffed = await peek(text, SNIFF_BYTES);
    const mode = modeOf(sniffed.head.toString('utf8'));
    if (mode.kind === 'array') {
      await splitArray(
        sniffed.replay,
        mode.skip,
        (value) => (value === BAD_ELEMENT ? (into.badRecords += 1) : into.add(value)),
        mode.wrapped,
      );
    } else {
      const lines = new (JsonlParser as unknown as new (options: object) => Transform)({
        errorIndicator: () => BAD_LINE,
      });
      await pipeline([sniffed.replay, lines, collector(into)]);
    }
  } catch (error) {
    throw translate(error);
  }
  return into.result();
}
