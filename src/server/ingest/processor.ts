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
import { resolveRulesConfig } from '../rules/config.js';
import { createEvaluator, type Evaluator } from '../rules/index.js';
import { parseBuffer, type FileResult } from './cloudtrail.js';
import { parseStream } from './cloudtrail-stream.js';
import { MAX_BUFFERED_BYTES, readWhole } from './read-object.js';
import type { SourceObject } from './source.js';
import { WorkerPool, type WorkerJob } from './worker-pool.js';

export interface FileProcessor {
  /** How many files it can usefully work on at once. */
  readonly parallelism: number;
  process(object: SourceObject): Promise<FileResult>;
  close(): Promise<void>;
}

/** Parses bytes held in memory, falling back to streaming them when they decompress to too much. */
export async function evaluateBytes(bytes: Uint8Array, evaluate: Evaluator): Promise<FileResult> {
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength); // no copy of up to 24 MB
  return parseBuffer(bytes, evaluate) ?? (await parseStream(Readable.from([view]), evaluate));
}

async function processHere(object: SourceObject, evaluate: Evaluator): Promise<FileResult> {
  const bytes = await readWhole(object);
  return bytes === undefined ? parseStream(await object.open(), evaluate) : evaluateBytes(bytes, evaluate);
}

export function createInlineProcessor(rules: RulesConfig | undefined): FileProcessor {
  const evaluate = createEvaluator(resolveRulesConfig(rules));
  return { parallelism: 1, process: (object) => processHere(object, evaluate), async close() {} };
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Worker threads need the built `worker.js`; when running from TypeScript sources there is none. */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/** A worker's job for an object, or undefined when the object is too large to hold and must be streamed here. */
async function jobFor(
  object: SourceObject,
): Promise<((id: number) => { job: WorkerJob; transfer: ArrayBuffer[] }) | undefined> {
  const { path, size } = object;
  if (path !== undefined && size !== undefined && size <= MAX_BUFFERED_BYTES)
    return (id) => ({ job: { id, path }, transfer: [] });
  const bytes = await readWhole(object);
  return bytes === undefined ? undefined : (id) => ({ job: { id, bytes }, transfer: [bytes.buffer as ArrayBuffer] });
}

export function createPooledProcessor(rules: RulesConfig | undefined, size: number): FileProcessor {
  const inline = createEvaluator(resolveRulesConfig(rules));
  const pool = new WorkerPool(WORKER_URL, size, rules);
  return {
    parallelism: size,
    async process(object) {
      const job = await jobFor(object);
      if (job === undefined) return parseStream(await object.open(), inline);
      return pool.run(job) ?? processHere(object, inline);
    },
    close: () => pool.close(),
  };
}
