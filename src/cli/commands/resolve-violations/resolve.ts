/** The planning half of resolve-violations: choose the candidates (`execute.ts` resolves them). */
import pLimit from 'p-limit';
import type { FullstopClient } from '../../../client/client.js';
import { AbortedError, AuthError, isNotFound, OutcomeUnknownError } from '../../../client/index.js';
import type { Violation } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { ConnectionOptions, FilterOptions } from '../../options.js';
import { toMatcher, toViolationQuery } from '../../violation-query.js';
import { collectViolations } from '../../../client/paging.js';

export interface ResolveOptions extends FilterOptions, ConnectionOptions {
  violationIds?: number[];
  concurrency: number;
}

/**
 * `failed`: not resolved by this run (refused, or never sent). `unknown`: sent, but the answer was lost, so the
 * server may or may not have resolved it; a rerun skips it if it was.
 */
export type ResolveStatus = 'resolved' | 'skipped' | 'failed' | 'unknown';

export interface ResolveResult {
  id: number;
  status: ResolveStatus;
  error?: string;
}

export interface Plan {
  client: FullstopClient;
  toResolve: Violation[];
  /** Already resolved, not matching the filters, or not fetchable. */
  done: ResolveResult[];
}

/** The reason printed for a failed item. */
export function reason(error: unknown): string {
  if (isNotFound(error)) return 'not found';
  return error instanceof Error ? error.message : String(error);
}

/** A rejected token or Ctrl-C fails every remaining item the same way: such an error stops the command instead. */
export function isFatal(error: unknown): boolean {
  const root = error instanceof OutcomeUnknownError ? error.cause : error;
  return (root instanceof AuthError && root.status === 401) || root instanceof AbortedError;
}

async function fetchByIds(client: FullstopClient, ids: number[], concurrency: number) {
  const found: Violation[] = [];
  const failed: ResolveResult[] = [];
  let fatal: unknown;
  await pLimit(concurrency).map(ids, async (id) => {
    if (fatal !== undefined) return;
    try {
      found.push(await client.getViolation(id));
    } catch (error) {
      if (isFatal(error)) fatal ??= error;
      else failed.push({ id, status: 'failed', error: reason(error) });
    }
  });
  if (fatal !== undefined) throw fatal;
  const order = new Map(ids.map((id, index) => [id, index]));
  found.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  return { found, failed };
}

/** Finds what to resolve: the given ids, or the newest `--limit` open violations matching the filters. */
export async function planResolution(opts: ResolveOptions, ctx: Context): Promise<Plan> {
  const settings = await ctx.settings(opts);
  const ids = opts.violationIds ?? [];
  if (ids.length === 0 && settings.accounts.length === 0 && !opts.type && !opts.region) {
    throw new UsageError('At least one of --accounts, --type, --region or --violation-ids must be specified');
  }
  const client = await ctx.client(opts, { connections: opts.concurrency });
  const matches = await toMatcher(opts);
  const done: ResolveResult[] = [];
  let candidates: Violation[];
  if (ids.length > 0) {
    const { found, failed } = await fetchByIds(client, ids, opts.concurrency);
    done.push(...failed);
    candidates = [];
    for (const v of found) {
      if (!matches || matches(v)) candidates.push(v);
      else done.push({ id: v.id, status: 'skipped', error: 'does not match the filters' });
    }
  } else {
    const query = toViolationQuery(opts, settings.accounts);
    candidates = await collectViolations({ client, query, limit: opts.limit, matches });
  }
  const toResolve: Violation[] = [];
  for (const v of candidates) {
    if (v.comment !== null && v.comment.trim() !== '')
      done.push({ id: v.id, status: 'skipped', error: 'already resolved' });
    else toResolve.push(v);
  }
  return { client, toResolve, done };
}
