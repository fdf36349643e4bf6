/** `npm run demo -- --exit` end to end: generate, serve, ingest, list, resolve. Needs the build (`npm test` does it). */
import { afterAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expectNoRuleErrors, tempDir } from './helpers.js';

const run = promisify(execFile);
const dir = tempDir('fullstop-demo-');
afterAll(() => dir.cleanup());

it('runs the whole loop non-interactively and exits 0', async () => {
  const { stdout, stderr } = await run(
    process.execPath,
    [join(import.meta.dirname, '../../scripts/demo.mjs'), '--exit', '--dir', dir.path],
    {
      env: { ...process.env, NO_COLOR: '1' },
    },
  );
  expect(stdout).toContain('files       ');
  expect(stdout).toContain(' 0 rule errors)');
  expectNoRuleErrors({ stderr });
  expect(stdout).toMatch(/violations {2}\d+ new/);
  // Enrichment against the demo stand-ins: every launched instance looked up, none failed.
  expect(stdout).toMatch(/enrichment {2}[1-9]\d* records looked up \(0 failed\), 0 retried, 0 pending/);
  expect(stdout).toMatch(/WRONG_AMI +i-[0-9a-f]{17} .*ami_name: ubuntu-jammy-22\.04-amd64-server-20240423/);
  expect(stdout).toMatch(/(EC2_WITH_KEYPAIR|WRONG_REGION) +i-[0-9a-f]{17} +kio +1\.[01] /);
  expect(stdout).toMatch(/kio +1\.1 +RunInstances +2024-05-01T\d\d:\d\d:\d\d\.000Z +i-[0-9a-f]{17}/);
  expect(stderr).toMatch(/resolved [1-9]\d*, skipped 0, failed 0/);
  expect(stderr).toMatch(/resolved \d+ \(\d{12}\/[a-z0-9-]+ WRONG_AMI\)/);
  expect(stderr).toMatch(/resolved \d+ \(\d{12}\/[a-z0-9-]+ CLOUDTRAIL_TAMPERING\)/);
  expect(stdout).toContain('demo: trail restarted, the change was approved');
  expect(stderr).toContain('Demo complete');
}, 120_000);
