/**
 * Turns one source object into a FileResult. Inline: in this thread. Pooled: small files are parsed and run
 * through the rules in worker threads (parsing is the expensive part), while this thread lists and commits;
 * local files are read by the workers themselves, other objects' bytes are fetched here and transferred.
 * Large files are streamed in this thread so memory stays bounded.
 */
import { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RulesConfig } from '../rules/config-schema.js';
import type { EnrichmentConfig } from '../enrich/config-schema.js';
import { parseBuffer, type FileResult } from './cloudtrail.js';
import { parseStream } from './cloudtrail-stream.js';
import { recordEvaluation, type RecordEvaluation } from './evaluation.js';
import { MAX_BUFFERED_BYTES, readWhole } from './read-object.js';
import type { SourceObject } from './source.js';
import { WorkerPool, type FileOrigin, type WorkerJob } from './worker-pool.js';

export interface FileProcessor {
  /** How many files it can usefully work on at once. */
  readonly parallelism: number;
  /**
   * Reads the object and runs the rules. `source` is the source it was listed under: with enrichment, records whose
   * look-ups failed keep it (and the key) as their origin.
   */
  process(object: SourceObject, source?: string): Promise<FileResult>;
  close(): Promise<void>;
}

/** Parses bytes held in memory, falling back to streaming them when they decompress to too much. */
export async function evaluateBytes(
  bytes: Uint8Array,
  evaluation: RecordEvaluation | RecordEvaluation['evaluate'],
): Promise<FileResult> {
  const { evaluate, defer } =
    typeof evaluation === 'function' ? { evaluate: evaluation, defer: undefined } : evaluation;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // no copy of up to 24 MB
  return parseBuffer(bytes, evaluate, defer) ?? (await parseStream(Readable.from([view]), evaluate, defer));
}

async function processHere(object: SourceObject, evaluation: RecordEvaluation): Promise<FileResult> {
  const bytes = await readWhole(object);
  return bytes === undefined
    ? parseStream(await object.open(), evaluation.evaluate, evaluation.defer)
    : evaluateBytes(bytes, evaluation);
}

/** Reads files in this thread; with `enrichment`, records needing look-ups are left to the enrichment stage. */
export function createInlineProcessor(rules: RulesConfig | undefined, enrichment?: EnrichmentConfig): FileProcessor {
  const evaluation = recordEvaluation({ rules, enrichment });
  return { parallelism: 1, process: (object) => processHere(object, evaluation), async close() {} };
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Worker threads need the built `worker.js`; when running from TypeScript sources there is none. */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/** A worker's job for an object, or undefined when the object is too large to hold and must be streamed here. */
async function jobFor(
  object: SourceObject,
  origin: FileOrigin,
): Promise<((id: number) => { job: WorkerJob; transfer: ArrayBuffer[] }) | undefined> {
  const { path, size } = object;
  if (path !== undefined && size !== undefined && size <= MAX_BUFFERED_BYTES)
    return (id) => ({ job: { id, path, origin }, transfer: [] });
  const bytes = await readWhole(object);
  return bytes === undefined
    ? undefined
    : (id) => ({ job: { id, bytes, origin }, transfer: [bytes.buffer as ArrayBuffer] });
}

export function createPooledProcessor(
  rules: RulesConfig | undefined,
  size: number,
  enrichment?: EnrichmentConfig,
): FileProcessor {
  const inline = recordEvaluation({ rules, enrichment });
  const pool = new WorkerPool(WORKER_URL, size, { rules, enrichment });
  return {
    parallelism: size,
    async process(object, source = '') {
      const job = await jobFor(object, { source, key: object.key });
      if (job === undefined) return parseStream(await object.open(), inline.evaluate, inline.defer);
      return pool.run(job) ?? processHere(object, inline);
    },
    close: () => pool.close(),
  };
}
