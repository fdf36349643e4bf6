/** Worker-thread entry: reads (when given a path) and parses files and runs the rules; the main thread commits. */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { RulesConfig } from '../rules/config-schema.js';
import { resolveRulesConfig } from '../rules/config.js';
import { createEvaluator } from '../rules/index.js';
import { CloudTrailFormatError } from './cloudtrail.js';
import { evaluateBytes } from './processor.js';
import type { WorkerJob } from './worker-pool.js';

const evaluate = createEvaluator(resolveRulesConfig((workerData as { rules?: RulesConfig }).rules));

async function run(job: WorkerJob) {
  // Reading here keeps the main thread free: it only lists files and commits what comes back.
  const bytes = 'path' in job ? readFileSync(job.path) : job.bytes;
  return evaluateBytes(bytes, evaluate);
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
