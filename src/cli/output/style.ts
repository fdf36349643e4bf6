import type { Context } from '../context.js';
import { wantsColor } from '../io.js';
import type { TextStyle } from './render.js';

/** The text-table style for stdout: colour and relative times only on a terminal. */
export function stdoutStyle(ctx: Context): TextStyle {
  return {
    color: wantsColor(ctx.io.stdoutIsTTY, ctx.env),
    relativeTime: ctx.io.stdoutIsTTY,
    now: ctx.now(),
    width: ctx.io.stdoutIsTTY ? ctx.io.columns : undefined,
  };
}
