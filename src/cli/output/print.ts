import type { Context } from '../context.js';
import type { OutputFormat } from '../options.js';
import type { RenderInput } from './render.js';

/** Renders rows in `format` to stdout. The renderers (tables, colours, dates, YAML) load here, only when printing. */
export async function printRows<T>(ctx: Context, input: RenderInput<T>, format: OutputFormat): Promise<void> {
  const [{ render }, { stdoutStyle }] = await Promise.all([import('./render.js'), import('./style.js')]);
  for (const line of await render(input, format, stdoutStyle(ctx))) ctx.io.out(line);
}
