/** Runs a test file against the AWS stand-in, reached the way users reach a local stand-in: AWS_ENDPOINT_URL. */
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { startAwsStandIn, type AwsStandIn } from '../helpers/aws-stand-in.js';

export function useAwsStandIn(): () => AwsStandIn {
  let aws: AwsStandIn | undefined;
  beforeAll(async () => {
    aws = await startAwsStandIn();
  });
  afterAll(() => aws?.close());
  beforeEach(() => {
    aws!.clearFaults();
    aws!.clearCalls();
    vi.stubEnv('AWS_ENDPOINT_URL', aws!.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', aws!.callerCredentials.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', aws!.callerCredentials.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  });
  return () => aws!;
}

/** A clock the caches read; tests move it forward. */
export function manualClock(start = 1_000_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
