/** `fullstop watch`: wires the loop to the settings, the stop signals and the output. */
import type { Violation } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import { violationColumns } from '../../output/columns.js';
import { toCsvLine, toTsvLine } from '../../output/delimited.js';
import type { TextStyle } from '../../output/render-types.js';
import { stdoutStyle } from '../../output/style.js';
import { toMatcher, toViolationQuery } from '../../violation-query.js';
import { follow } from './follow.js';
import type { WatchOptions } from './index.js';
import { violationLine } from './line.js';

/** Ctrl-C (the context's signal) or SIGTERM: both end the watch normally. */
function stopSignal(ctx: Context): { signal: AbortSignal; dispose(): void } {
  const terminated = new AbortController();
  const onTerm = () => terminated.abort();
  process.once('SIGTERM', onTerm);
  const signals = ctx.signal ? [ctx.signal, terminated.signal] : [terminated.signal];
  return { signal: AbortSignal.any(signals), dispose: () => process.removeListener('SIGTERM', onTerm) };
}

/** Polls and prints until stopped; resolves (exit 0) on Ctrl-C or SIGTERM. */
export async function watch(opts: WatchOptions, ctx: Context): Promise<void> {
  const stop = stopSignal(ctx);
  try {
    const [client, settings] = await Promise.all([ctx.client(opts, { signal: stop.signal }), ctx.settings(opts)]);
    const { from: _from, to: _to, ...query } = toViolationQuery({ ...opts, limit: 0 }, settings.accounts);
    const style = stdoutStyle(ctx);
    const print = printer(opts.output, ctx, style);
    if (ctx.io.stderrIsTTY) {
      ctx.io.err(`Watching ${settings.url} for new violations every ${opts.interval / 1000} s (Ctrl-C to stop)`);
    }
    await follow({
      client,
      query,
      matches: await toMatcher({ ...opts, limit: 0 }),
      since: opts.since,
      intervalMs: opts.interval,
      signal: stop.signal,
      onViolation: print,
      onNote: (text) => ctx.io.err(`warning: ${text}`),
    });
  } catch (error) {
    // Stopped while connecting or mid-request: that is how a watch ends, not a failure.
    if (!stop.signal.aborted) throw error;
  } finally {
    stop.dispose();
  }
}

/** Prints one violation per line in `format`; tsv and csv print their header first, at once. */
function printer(format: WatchOptions['output'], ctx: Context, style: TextStyle): (v: Violation) => void {
  if (format === 'ndjson') return (v) => ctx.io.out(JSON.stringify(v));
  if (format === 'text') return (v) => ctx.io.out(violationLine(v, style));
  const line = format === 'tsv' ? toTsvLine : toCsvLine;
  ctx.io.out(line(violationColumns.map((c) => c.key)));
  return (v) => ctx.io.out(line(violationColumns.map((c) => c.value(v))));
}
