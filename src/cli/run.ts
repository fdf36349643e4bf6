/**
 * The process around {@link main}: Ctrl-C, a closed stdout and the system context. bin/fullstop.ts imports
 * this lazily, so `fullstop --version` answers without loading it.
 */
import { systemContext } from './context.js';
import { main } from './main.js';

/** Runs the CLI for this process with `argv` (without node and script) and returns the exit code. */
export async function run(argv: string[]): Promise<number> {
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
  return main(argv, systemContext(interrupt.signal));
}
