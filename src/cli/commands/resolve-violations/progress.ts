/** Progress of a batch on stderr: the shared progress bar on a terminal, one line per item otherwise. */
import type { Io } from '../../io.js';
import { startProgressBar } from '../../progress.js';

export interface Progress {
  /** Reports one finished item; `line` is printed when there is no bar (all but resolutions also after the bar). */
  tick(line: string): void;
  /** Stops the bar; lines held back while it ran are printed now. */
  stop(): void;
}

/** Starts progress reporting for `total` items. */
export async function startProgress(io: Io, total: number): Promise<Progress> {
  const bar = total < 2 ? undefined : await startProgressBar(io, 'resolving [{bar}] {value}/{total}');
  if (bar === undefined) return lineProgress(io);
  let done = 0;
  bar.update(0, total);
  return {
    tick(line) {
      if (!line.startsWith('resolved')) bar.hold(line);
      bar.update(++done, total);
    },
    stop: () => bar.stop(),
  };
}

/** How long a finished item's line may wait, so that lines leave in a few writes rather than one each. */
const LINE_FLUSH_MS = 100;

/**
 * One line per item, written at most every {@link LINE_FLUSH_MS}: a batch of 1,000 otherwise makes 1,000 writes,
 * each waking whoever reads stderr, which cost more wall-clock time than the resolutions when stderr is a pipe.
 */
function lineProgress(io: Io): Progress {
  let pending: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    io.err(pending.join('\n'));
    pending = [];
  };
  return {
    tick(line) {
      pending.push(line);
      timer ??= setTimeout(flush, LINE_FLUSH_MS);
    },
    stop: flush,
  };
}
