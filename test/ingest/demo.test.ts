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
  expect(stderr).toMatch(/resolved \d+ \(\d{12}\/[a-z0-9-]+ CLOUDTRAIL_TAMPERING\)/);
  expect(stdout).toContain('demo: trail restarted, the change was approved');
  expect(stderr).toContain('Demo complete');
}, 120_000);
