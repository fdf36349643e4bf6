/**
 * The violation types shell completion offers, cached per server in the settings directory
 * (`cache/violation-types.json`). A fresh cache (a day) answers at once; otherwise the server is asked with a
 * short deadline, and when it does not answer the stale list (or nothing) is offered and the server is not
 * asked again for a few minutes, so that a TAB never waits twice on an unreachable server.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from '../../context.js';

export const TYPES_TTL_MS = 24 * 3_600_000;
export const RETRY_AFTER_FAILURE_MS = 5 * 60_000;
/** The whole look-up, token command included, ends within about this. */
export const DEADLINE_MS = 2_000;

interface Entry {
  types: string[];
  fetched_at?: number;
  failed_at?: number;
}

type Cache = Record<string, Entry>;

const cacheFile = (ctx: Context) => join(ctx.configDir, 'cache', 'violation-types.json');

function readCache(ctx: Context): Cache {
  try {
    const value: unknown = JSON.parse(readFileSync(cacheFile(ctx), 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Cache) : {};
  } catch {
    return {};
  }
}

/** Writes the entry of `url`; a cache that cannot be written is no reason to fail anything. */
function writeEntry(ctx: Context, url: string, entry: Entry): void {
  try {
    const file = cacheFile(ctx);
    mkdirSync(join(ctx.configDir, 'cache'), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify({ ...readCache(ctx), [url]: entry }), { mode: 0o600 });
    // Renamed into place, so that a TAB pressed meanwhile reads the old file or the new one, never half of one.
    renameSync(temporary, file);
  } catch {
    // Read-only settings directory: completion works without a cache, only slower.
  }
}

/** Stores the types `url` answered (called by `fullstop types` too). */
export function rememberTypes(ctx: Context, url: string, types: string[]): void {
  writeEntry(ctx, url, { types: [...types].sort(), fetched_at: ctx.now().getTime() });
}

/** The type ids of the configured server: cached, fetched, or stale; never throws. */
export async function completionTypes(ctx: Context): Promise<string[]> {
  const url = (await ctx.settings()).url;
  if (!url) return [];
  const entry = readCache(ctx)[url];
  const now = ctx.now().getTime();
  if (entry?.fetched_at !== undefined && now - entry.fetched_at < TYPES_TTL_MS) return entry.types;
  if (entry?.failed_at !== undefined && now - entry.failed_at < RETRY_AFTER_FAILURE_MS) return entry.types;
  try {
    const client = await ctx.client(
      {},
      { retries: 0, timeoutMs: DEADLINE_MS, tokenTimeoutMs: DEADLINE_MS / 2, signal: AbortSignal.timeout(DEADLINE_MS) },
    );
    const types = (await client.listViolationTypes()).map((t) => t.id);
    rememberTypes(ctx, url, types);
    return [...types].sort();
  } catch {
    writeEntry(ctx, url, { ...entry, types: entry?.types ?? [], failed_at: now });
    return entry?.types ?? [];
  }
}
