/**
 * Reads one CloudTrail file: bytes → records → violation drafts. Formats are recognised by content, never by
 * file name: gzip by its magic bytes, then `{"Records": [...]}`, a JSON array of records, one record, NDJSON, or
 * EventBridge envelopes. A file that is not CloudTrail at all throws `CloudTrailFormatError`; a readable file
 * keeps its good records and counts the bad ones.
 */
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type { ViolationDraft } from '../model.js';
import { accountIdOf, asObject, type CloudTrailEvent } from '../rules/event.js';
import type { Evaluator, RuleError } from '../rules/index.js';
import type { LifecycleRecord, PendingEvaluationDraft } from '../store/enrichment-types.js';

export class CloudTrailFormatError extends Error {
  override name = 'CloudTrailFormatError';
}

/** What one file yielded. */
export interface FileResult {
  records: number;
  badRecords: number;
  /** Rule evaluations that threw; their records still count, and the records' other rules still ran. */
  ruleErrors: number;
  /** The first of those errors (at most RULE_ERROR_SAMPLES), to log. */
  ruleErrorSamples: RuleError[];
  drafts: ViolationDraft[];
  /** Records that need look-ups: evaluated by the enrichment stage, after the file is read. */
  deferred: CloudTrailEvent[];
  /** Filled by the enrichment stage: how many records it looked facts up for. */
  enriched?: number;
  /** Filled by the enrichment stage: lifecycle records of its instance events. */
  lifecycles?: LifecycleRecord[];
  /** Filled by the enrichment stage: the records whose look-ups failed, to evaluate again later. */
  pending?: PendingEvaluationDraft[];
}

/** Which records wait for the enrichment stage (they need look-ups) instead of being evaluated as they are read. */
export type DeferPredicate = (event: CloudTrailEvent) => boolean;

/** Rule errors kept per file for the log; the count is exact. */
export const RULE_ERROR_SAMPLES = 5;

/** Files whose decompressed text is larger are streamed instead of parsed at once, to bound memory. */
export const FAST_PATH_MAX_BYTES = 24 * 1024 * 1024;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function isEnvelope(value: Record<string, unknown>): boolean {
  const detailType = value['detail-type'];
  return (
    typeof detailType === 'string' && detailType.endsWith('via CloudTrail') && asObject(value['detail']) !== undefined
  );
}

function isRecordLike(value: Record<string, unknown>): boolean {
  return typeof value['eventName'] === 'string' || typeof value['eventSource'] === 'string';
}

/** A usable event, unwrapped from its EventBridge envelope, or undefined when the record is bad. */
export function toEvent(item: unknown): CloudTrailEvent | undefined {
  let record = asObject(item);
  if (record !== undefined && isEnvelope(record)) record = asObject(record['detail']);
  if (record === undefined) return undefined;
  if (typeof record['eventID'] !== 'string' || typeof record['eventSource'] !== 'string') return undefined;
  if (typeof record['eventName'] !== 'string' || typeof record['awsRegion'] !== 'string') return undefined;
  const event = record as CloudTrailEvent;
  return accountIdOf(event) === undefined ? undefined : event;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  const object = asObject(value);
  if (object === undefined) return value === null ? 'null' : `a ${typeof value}`;
  const keys = Object.keys(object).slice(0, 5);
  return keys.length === 0 ? 'an empty object' : `an object with keys ${keys.map((k) => JSON.stringify(k)).join(', ')}`;
}

/** The record candidates of one top-level JSON value; throws when the value is not CloudTrail at all. */
export function candidatesOf(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    const plausible = value.some((item) => {
      const object = asObject(item);
      return object !== undefined && (isRecordLike(object) || isEnvelope(object));
    });
    if (value.length > 0 && !plausible)
      throw new CloudTrailFormatError('not CloudTrail: a JSON array without any CloudTrail record');
    return value;
  }
  const object = asObject(value);
  if (object !== undefined && 'Records' in object) {
    if (!Array.isArray(object['Records']))
      throw new CloudTrailFormatError(`not CloudTrail: "Records" is ${describe(object['Records'])}, not an array`);
    return object['Records'];
  }
  if (object !== undefined && (isEnvelope(object) || isRecordLike(object))) return [object];
  throw new CloudTrailFormatError(
    `not CloudTrail: expected {"Records": [...]}, a record, a list of records or an EventBridge envelope, got ${describe(value)}`,
  );
}

/** Accumulates records of one file. */
export class FileAccumulator implements FileResult {
  records = 0;
  badRecords = 0;
  ruleErrors = 0;
  ruleErrorSamples: RuleError[] = [];
  drafts: ViolationDraft[] = [];
  deferred: CloudTrailEvent[] = [];
  /** A rule that cannot cope with an odd record must not cost the file its other records: counted, kept for the log. */
  private readonly onRuleError = (error: RuleError) => {
    this.ruleErrors += 1;
    if (this.ruleErrorSamples.length < RULE_ERROR_SAMPLES) this.ruleErrorSamples.push(error);
  };
  constructor(
    private readonly evaluate: Evaluator,
    private readonly defer?: DeferPredicate,
  ) {}

  add(item: unknown): void {
    const event = toEvent(item);
    if (event === undefined) {
      this.badRecords += 1;
      return;
    }
    this.records += 1;
    if (this.defer !== undefined && this.defer(event)) {
      this.deferred.push(event);
      return;
    }
    const drafts = this.evaluate(event, undefined, this.onRuleError);
    if (drafts.length !== 0) for (const draft of drafts) this.drafts.push(draft);
  }

  /** One NDJSON line: a record, or a whole `{"Records": [...]}` delivery on one line. */
  addLine(value: unknown): void {
    const object = asObject(value);
    if (object !== undefined && Array.isArray(object['Records'])) for (const item of object['Records']) this.add(item);
    else this.add(value);
  }

  result(): FileResult {
    const { records, badRecords, ruleErrors, ruleErrorSamples, drafts, deferred } = this;
    return { records, badRecords, ruleErrors, ruleErrorSamples, drafts, deferred };
  }
}

/**
 * The size a gzip file declares for its (last) member's text, modulo 2^32 (RFC 1952 ISIZE). Only a hint: a
 * truncated or multi-member file can declare anything, so it merely sizes the output buffer.
 */
function declaredSize(bytes: Uint8Array): number {
  const end = bytes.length;
  if (end < 18) return 0;
  return (bytes[end - 4]! | (bytes[end - 3]! << 8) | (bytes[end - 2]! << 16) | (bytes[end - 1]! << 24)) >>> 0;
}

function gunzip(bytes: Uint8Array): Buffer | undefined {
  const declared = declaredSize(bytes);
  // The last member alone is too large for the fast path: stream it without inflating 24 MB in vain.
  if (declared > FAST_PATH_MAX_BYTES) return undefined;
  try {
    // One output buffer of the declared size instead of 16 KB chunks joined at the end: a quarter less time.
    const chunkSize = Math.max(declared + 64, zlibConstants.Z_MIN_CHUNK);
    return gunzipSync(bytes, { maxOutputLength: FAST_PATH_MAX_BYTES, chunkSize });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return undefined;
    throw new CloudTrailFormatError(`corrupt or truncated gzip: ${(error as Error).message}`);
  }
}

function parseLines(text: string, wholeFileError: Error, into: FileAccumulator): void {
  const lines = text.split('\n');
  let first = true;
  for (const line of lines) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // NDJSON is only plausible when its first line is a JSON value of its own.
      if (first) throw new CloudTrailFormatError(`invalid JSON: ${wholeFileError.message}`);
      into.badRecords += 1;
      continue;
    }
    first = false;
    into.addLine(value);
  }
}

/**
 * Parses a whole file held in memory. Returns undefined when the decompressed text is too large for the fast
 * path; the caller then streams it (`cloudtrail-stream.ts`).
 */
export function parseBuffer(bytes: Uint8Array, evaluate: Evaluator, defer?: DeferPredicate): FileResult | undefined {
  const raw = isGzip(bytes) ? gunzip(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (raw === undefined || raw.length > FAST_PATH_MAX_BYTES) return undefined;
  const decoded = raw.toString('utf8');
  const text = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  if (text.trim() === '') throw new CloudTrailFormatError('empty file: no JSON value');
  const into = new FileAccumulator(evaluate, defer);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    parseLines(text, error as Error, into);
    return into.result();
  }
  for (const item of candidatesOf(value)) into.add(item);
  return into.result();
}
