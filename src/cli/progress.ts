/**
 * The progress bar of long commands (ingest, resolve-violations): cli-progress on stderr when it is a terminal.
 * Lines that must not be lost (failures) are held while the bar is drawn and printed once it is gone, so they
 * neither tear the bar nor vanish with it.
 */
import type { Io } from './io.js';

export interface ProgressBar {
  /** Moves the bar to `value` of `total`, with values for the format's `{placeholders}`. */
  update(value: number, total: number, payload?: Record<string, unknown>): void;
  /** Keeps `line` for stderr until the bar stops. */
  hold(line: string): void;
  /** Removes the bar and prints the held lines. */
  stop(): void;
}

/** Starts a bar with a cli-progress `format`, or returns undefined when stderr is not a terminal. */
export async function startProgressBar(
  io: Io,
  format: string,
  payload: Record<string, unknown> = {},
): Promise<ProgressBar | undefined> {
  const stream = io.progressStream;
  if (stream === undefined || !io.stderrIsTTY) return undefined;
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const bar = new SingleBar({ stream, format, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
  const held: string[] = [];
  bar.start(0, 0, payload);
  return {
    update(value, total, values) {
      bar.setTotal(total);
      bar.update(value, values ?? {});
    },
    hold: (line) => void held.push(line),
    stop() {
      bar.stop();
      for (const line of held) io.err(line);
    },
  };
}
