/** Worker-thread entry: reads (when given a path) and parses files and runs the rules; the main thread commits. */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CloudTrailFormatError } from './cloudtrail.js';
import { recordEvaluation, type EvaluationConfig } from './evaluation.js';
import { evaluateBytes } from './processor.js';
import type { WorkerJob } from './worker-pool.js';

// Records needing look-ups come back unevaluated (`deferred`): the main thread's enrichment stage, whose caches
// every file shares, looks them up.
const evaluation = recordEvaluation(workerData as EvaluationConfig);

async function run(job: WorkerJob) {
  // Reading here keeps the main thread free: it only lists files and commits what comes back.
  const bytes = 'path' in job ? readFileSync(job.path) : job.bytes;
  return evaluateBytes(bytes, evaluation);
}

parentPort?.on('message', (job: WorkerJob) => {
  run(job).then(
    (result) => parentPort?.postMessage({ id: job.id, ok: true, result }),
    (error: unknown) =>
      parentPort?.postMessage({
        id: job.id,
        ok: false,
        reason: (error as Error).message,
        format: error instanceof CloudTrailFormatError,
        code: (error as NodeJS.ErrnoException).code,
      }),
  );
});
