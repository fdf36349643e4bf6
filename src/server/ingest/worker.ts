/** Worker-thread entry: parses files and runs the rules; the main thread commits what it returns. */
import { parentPort, workerData } from 'node:worker_threads';
import type { RulesConfig } from '../rules/config-schema.js';
import { resolveRulesConfig } from '../rules/config.js';
import { createEvaluator } from '../rules/index.js';
import { CloudTrailFormatError } from './cloudtrail.js';
import { evaluateBytes } from './processor.js';

const evaluate = createEvaluator(resolveRulesConfig((workerData as { rules?: RulesConfig }).rules));

parentPort?.on('message', (job: { id: number; bytes: Uint8Array }) => {
  evaluateBytes(job.bytes, evaluate).then(
    (result) => parentPort?.postMessage({ id: job.id, ok: true, result }),
    (error: unknown) =>
      parentPort?.postMessage({
        id: job.id,
        ok: false,
        reason: (error as Error).message,
        format: error instanceof CloudTrailFormatError,
      }),
  );
});
