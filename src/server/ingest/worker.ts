/** Worker-thread entry: reads (when given a path) and parses files and runs the rules; the main thread commits. */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { CloudTrailFormatError, type FileResult } from './cloudtrail.js';
import type { EnrichmentStage } from '../enrich/stage.js';
import { recordEvaluation, type EvaluationConfig } from './evaluation.js';
import { evaluateBytes } from './processor.js';
import type { WorkerJob } from './worker-pool.js';

const config = workerData as EvaluationConfig;
const evaluation = recordEvaluation(config);
/**
 * Records needing look-ups are enriched here too, by this thread's own stage (its caches shared by the files it
 * reads): a look-up costs more CPU than parsing its record, so the main thread would otherwise be the bottleneck.
 */
let stage: Promise<EnrichmentStage | undefined> | undefined;

async function run(job: WorkerJob): Promise<FileResult> {
  // Reading here keeps the main thread free: it only lists files and commits what comes back.
  const bytes = 'path' in job ? readFileSync(job.path) : job.bytes;
  const result = await evaluateBytes(bytes, evaluation);
  if (result.deferred.length === 0 || job.origin === undefined) return result;
  stage ??= import('../enrich/setup.js').then(({ createEnrichmentStage }) => createEnrichmentStage(config));
  const enrichment = await stage;
  return enrichment === undefined ? result : enrichment.complete(result, job.origin);
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
