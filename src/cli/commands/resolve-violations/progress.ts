/** Progress of a batch on stderr: a cli-progress bar on a terminal, one line per item otherwise. */
import type { Io } from '../../io.js';

export interface Progress {
  /** Reports one finished item; `line` is printed when there is no bar. */
  tick(line: string): void;
  /** Stops the bar; lines held back while it ran are printed now. */
  stop(): void;
}

/** Starts progress reporting for `total` items. */
export async function startProgress(io: Io, total: number): Promise<Progress> {
  if (!io.stderrIsTTY || !io.progressStream || total < 2) {
    return { tick: (line) => io.err(line), stop: () => {} };
  }
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar(
    { stream: io.progressStream, format: 'resolving [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  const held: string[] = [];
  bar.start(total, 0);
  return {
    tick(line) {
      if (line.startsWith('failed')) held.push(line);
      bar.increment();
    },
    stop() {
      bar.stop();
      for (const line of held) io.err(line);
    },
  };
}
