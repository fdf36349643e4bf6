/**
 * Maps a source spec to its adapter: a local path, `s3://bucket/prefix` or `sqs://QUEUE_URL`. The AWS SDK is
 * imported only when an S3 or SQS source is used.
 */
import { statSync } from 'node:fs';
import type { Source } from './source.js';
import { createLocalSource } from './local.js';

/** A source spec or a setting is wrong before any file is read (the CLI reports it as a usage error). */
export class IngestSetupError extends Error {
  override name = 'IngestSetupError';
}

export interface SourceOptions {
  /** S3-compatible endpoint (`--endpoint-url`); default FULLSTOP_S3_ENDPOINT. */
  endpointUrl?: string;
  /** Long-poll time of a queue's receives; default 20 s. */
  queueWaitSeconds?: number;
  env?: NodeJS.ProcessEnv;
}

export async function createSource(spec: string, options: SourceOptions = {}): Promise<Source> {
  try {
    if (spec.startsWith('s3://')) {
      const { createS3Source } = await import('./s3.js');
      return createS3Source({
        url: spec,
        ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
    }
    if (spec.startsWith('sqs://')) {
      const { createSqsSource, queueUrlFromSpec } = await import('./sqs.js');
      const s3 = options.endpointUrl ? { endpoint: options.endpointUrl } : {};
      return createSqsSource({
        queueUrl: queueUrlFromSpec(spec),
        s3,
        ...(options.queueWaitSeconds !== undefined ? { waitTimeSeconds: options.queueWaitSeconds } : {}),
        ...(options.env ? { env: options.env } : {}),
      });
    }
  } catch (error) {
    if (error instanceof IngestSetupError) throw error;
    throw new IngestSetupError((error as Error).message);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !spec.startsWith('file://')) {
    throw new IngestSetupError(
      `unsupported source "${spec}": expected a local path, s3://bucket/prefix or sqs://QUEUE_URL`,
    );
  }
  const path = spec.startsWith('file://') ? new URL(spec).pathname : spec;
  try {
    statSync(path);
  } catch (error) {
    throw new IngestSetupError(
      `cannot read source ${spec}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message}`,
    );
  }
  return createLocalSource(path);
}
