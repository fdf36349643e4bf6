#!/usr/bin/env node
import { systemContext } from '../src/cli/context.js';
import { main } from '../src/cli/main.js';

// The first Ctrl-C aborts in-flight requests so the command can report and exit 130; a second one is final.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});

// `fullstop list-violations | head` closes stdout early: that is the reader's choice, not our failure.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2), systemContext(interrupt.signal));
