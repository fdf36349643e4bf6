/**
 * `printRows` for modules that are themselves loaded on demand: the same output, with the renderers imported
 * statically. (print.ts is part of the start-up bundle; importing it from an on-demand module would make the
 * bundler split it into a chunk of its own, one more file for every command to load.)
 */
import type { Context } from '../context.js';
import type { OutputFormat } from '../options.js';
import { render, type RenderInput } from './render.js';
import { stdoutStyle } from './style.js';

/** Renders rows in `format` to stdout. */
export async function emitRows<T>(ctx: Context, input: RenderInput<T>, format: OutputFormat): Promise<void> {
  for (const line of await render(input, format, stdoutStyle(ctx))) ctx.io.out(line);
}
