/**
 * Turns one source object into a FileResult. Inline: in this thread. Pooled: small files are parsed and run
 * through the rules in worker threads (parsing is the expensive part), while this thread lists and commits;
 * local files are read by the workers themselves, other objects' bytes are fetched here and transferred.
 * Large files are streamed in this thread so memory stays bounded.
 */
import { Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RulesConfig } from '../rules/config-schema.js';
import { resolveRulesConfig } from '../rules/config.js';
import { createEvaluator, type Evaluator } from '../rules/index.js';
import { CloudTrailFormatError, parseBuffer, type FileResult } from './cloudtrail.js';
import { parseStream } from './cloudtrail-stream.js';
import { MAX_BUFFERED_BYTES, readWhole } from './read-object.js';
import type { SourceObject } from './source.js';

export interface FileProcessor {
  /** How many files it can usefully work on at once. */
  readonly parallelism: number;
  process(object: SourceObject): Promise<FileResult>;
  close(): Promise<void>;
}

/** Parses bytes held in memory, falling back to streaming them when they decompress to too much. */
export async function evaluateBytes(bytes: Uint8Array, evaluate: Evaluator): Promise<FileResult> {
  return parseBuffer(bytes, evaluate) ?? (await parseStream(Readable.from([Buffer.from(bytes)]), evaluate));
}

export function createInlineProcessor(rules: RulesConfig | undefined): FileProcessor {
  const evaluate = createEvaluator(resolveRulesConfig(rules));
  return {
    parallelism: 1,
    async process(object) {
      const bytes = await readWhole(object);
      return bytes === undefined ? parseStream(await object.open(), evaluate) : evaluateBytes(bytes, evaluate);
    },
    async close() {},
  };
}

/** A file for a worker: a local path it reads itself, or bytes fetched (and transferred) by this thread. */
export type WorkerJob = { id: number; path: string } | { id: number; bytes: Uint8Array };
type WorkerReply = { id: number; ok: true; result: FileResult } | { id: number; ok: false; reason: string; format: boolean; code?: string };

function replyError(reply: Extract<WorkerReply, { ok: false }>): Error {
  if (reply.format) return new CloudTrailFormatError(reply.reason);
  // The code (ENOENT, EACCES…) is what the failure report shows first, as for a read in this thread.
  return Object.assign(new Error(reply.reason), reply.code === undefined ? {} : { code: reply.code });
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Worker threads need the built `worker.js`; when running from TypeScript sources there is none. */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/** A worker's job for an object, or undefined when the object is too large to hold and must be streamed here. */
async function messageFor(object: SourceObject, id: number): Promise<{ job: WorkerJob; transfer: ArrayBuffer[] } | undefined> {
  if (object.path !== undefined && object.size !== undefined && object.size <= MAX_BUFFERED_BYTES) return { job: { id, path: object.path }, transfer: [] };
  const bytes = await readWhole(object);
  return bytes === undefined ? undefined : { job: { id, bytes }, transfer: [bytes.buffer as ArrayBuffer] };
}

export function createPooledProcessor(rules: RulesConfig | undefined, size: number): FileProcessor {
  const inline = createEvaluator(resolveRulesConfig(rules));
  const pending = new Map<number, { resolve: (r: FileResult) => void; reject: (e: Error) => void }>();
  const idle: Worker[] = [];
  const waiting: Array<(worker: Worker) => void> = [];
  let nextId = 0;
  const release = (worker: Worker) => {
    const next = waiting.shift();
    if (next) next(worker);
    else idle.push(worker);
  };
  const workers = Array.from({ length: size }, () => {
    const worker = new Worker(WORKER_URL, { workerData: { rules } });
    worker.on('message', (reply: WorkerReply) => {
      const job = pending.get(reply.id);
      pending.delete(reply.id);
      release(worker);
      if (!job) return;
      if (reply.ok) job.resolve(reply.result);
      else job.reject(replyError(reply));
    });
    worker.on('error', (error) => {
      for (const job of pending.values()) job.reject(error);
      pending.clear();
    });
    idle.push(worker);
    return worker;
  });
  const acquire = () => new Promise<Worker>((resolve) => (idle.length > 0 ? resolve(idle.pop()!) : waiting.push(resolve)));

  return {
    parallelism: size,
    async process(object) {
      const message = await messageFor(object, nextId++);
      if (message === undefined) return parseStream(await object.open(), inline);
      const worker = await acquire();
      return new Promise<FileResult>((resolve, reject) => {
        pending.set(message.job.id, { resolve, reject });
        worker.postMessage(message.job, message.transfer);
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
