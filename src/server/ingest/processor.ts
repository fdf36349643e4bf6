/**
 * Turns one source object into a FileResult. Inline: in this thread. Pooled: small files are parsed and run
 * through the rules in worker threads (parsing is the expensive part), while this thread lists, reads bytes and
 * commits; large files are streamed in this thread so memory stays bounded.
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
import { readWhole } from './read-object.js';
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

type WorkerReply = { id: number; ok: true; result: FileResult } | { id: number; ok: false; reason: string; format: boolean };

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Worker threads need the built `worker.js`; when running from TypeScript sources there is none. */
export function workersAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
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
      else job.reject(reply.format ? new CloudTrailFormatError(reply.reason) : new Error(reply.reason));
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
      const bytes = await readWhole(object);
      if (bytes === undefined) return parseStream(await object.open(), inline);
      const worker = await acquire();
      const id = nextId++;
      return new Promise<FileResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, bytes }, [bytes.buffer as ArrayBuffer]);
      });
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
