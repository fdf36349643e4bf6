/**
 * Worker threads fed eagerly: each job is posted at once to the thread with the fewest jobs outstanding, so a
 * thread that finishes a file finds the next one already in its queue instead of idling for a round trip
 * through this thread's event loop (which may be busy committing a batch).
 */
import { Worker } from 'node:worker_threads';
import { CloudTrailFormatError, type FileResult } from './cloudtrail.js';
import type { EvaluationConfig } from './evaluation.js';

/**
 * A file for a worker: a local path it reads itself, or bytes fetched (and transferred) by this thread; with the
 * source and key it was listed under, which records whose look-ups fail keep.
 */
export type WorkerJob = ({ id: number; path: string } | { id: number; bytes: Uint8Array }) & { origin?: FileOrigin };

export interface FileOrigin {
  source: string;
  key: string;
}
export type WorkerReply =
  | { id: number; ok: true; result: FileResult }
  | { id: number; ok: false; reason: string; format: boolean; code?: string };

interface Job {
  resolve: (result: FileResult) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  jobs: Map<number, Job>;
}

function replyError(reply: Extract<WorkerReply, { ok: false }>): Error {
  if (reply.format) return new CloudTrailFormatError(reply.reason);
  // The code (ENOENT, EACCES…) is what the failure report shows first, as for a read in this thread.
  return Object.assign(new Error(reply.reason), reply.code === undefined ? {} : { code: reply.code });
}

export class WorkerPool {
  private readonly threads: Thread[];
  private nextId = 0;

  constructor(url: URL, size: number, config: EvaluationConfig = {}) {
    this.threads = Array.from({ length: size }, () => this.start(url, config));
  }

  /** Runs the job on the least busy thread; undefined when every thread has died (the caller works inline). */
  run(job: (id: number) => { job: WorkerJob; transfer: ArrayBuffer[] }): Promise<FileResult> | undefined {
    const thread = this.threads.reduce<Thread | undefined>(
      (best, t) => (best === undefined || t.jobs.size < best.jobs.size ? t : best),
      undefined,
    );
    if (thread === undefined) return undefined;
    const message = job(this.nextId++);
    return new Promise<FileResult>((resolve, reject) => {
      thread.jobs.set(message.job.id, { resolve, reject });
      thread.worker.postMessage(message.job, message.transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  private start(url: URL, config: EvaluationConfig): Thread {
    const thread: Thread = { worker: new Worker(url, { workerData: config }), jobs: new Map() };
    thread.worker.on('message', (reply: WorkerReply) => {
      const job = thread.jobs.get(reply.id);
      thread.jobs.delete(reply.id);
      if (job === undefined) return;
      if (reply.ok) job.resolve(reply.result);
      else job.reject(replyError(reply));
    });
    // A thread that crashed (out of memory, a bug) fails its own jobs and takes no more; the others go on.
    const retire = (error: Error) => {
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      for (const job of thread.jobs.values()) job.reject(error);
      thread.jobs.clear();
    };
    thread.worker.on('error', retire);
    thread.worker.on('exit', (code) => retire(new Error(`ingest worker thread exited (code ${code})`)));
    return thread;
  }
}
