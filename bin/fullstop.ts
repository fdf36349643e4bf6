#!/usr/bin/env node
// The executable stays tiny: `fullstop --version` (what installers and scripts call most) prints the version
// inlined by the build and returns before any of the CLI is loaded; everything else imports it on demand.
// It writes to fd 1 directly because creating process.stdout alone costs about a tenth of Node's start-up.
import { writeSync } from 'node:fs';

declare const __FULLSTOP_VERSION__: string | undefined;

function printVersion(version: string): void {
  const line = `fullstop ${version}\n`;
  try {
    writeSync(1, line);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A closed reader (`fullstop --version | true`) is the reader's choice; a full non-blocking pipe is not an error.
    if (code === 'EAGAIN') process.stdout.write(line);
    else if (code !== 'EPIPE') throw error;
  }
}

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V') && typeof __FULLSTOP_VERSION__ === 'string') {
  printVersion(__FULLSTOP_VERSION__);
} else {
  const { run } = await import('../src/cli/run.js');
  process.exitCode = await run(args);
}
