/** The behaviour of resolve-violations: choose the candidates, then resolve them concurrently. */
import type { FullstopClient } from '../../../client/client.js';
import { AbortedError, AuthError, isNotFound } from '../../../client/index.js';
import type { Violation } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { ConnectionOptions, FilterOptions } from '../../options.js';
import { toMatcher, toViolationQuery } from '../../violation-query.js';
import { collectViolations } from '../../../client/paging.js';
import { runPool } from './pool.js';
import { startProgress } from './progress.js';

export interface ResolveOptions extends FilterOptions, ConnectionOptions {
  violationIds?: number[];
  concurrency: number;
}

export type ResolveStatus = 'resolved' | 'skipped' | 'failed';

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

function describe(v: Violation): string {
  return `${v.id} (${v.account_id ?? '?'}/${v.region ?? '?'} ${v.violation_type.id})`;
}

function reason(error: unknown): string {
  if (isNotFound(error)) return 'not found';
  return error instanceof Error ? error.message : String(error);
}

async function fetchByIds(client: FullstopClient, ids: number[], concurrency: number) {
  const found: Violation[] = [];
  const failed: ResolveResult[] = [];
  await runPool(ids, concurrency, async (id) => {
    try {
      found.push(await client.getViolation(id));
    } catch (error) {
      if ((error instanceof AuthError && error.status === 401) || error instanceof AbortedError) throw error;
      failed.push({ id, status: 'failed', error: reason(error) });
    }
  });
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
  const client = await ctx.client(opts);
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

/**
 * Resolves every violation of the plan with `comment`. Per-item failures are results; a rejected token or
 * Ctrl-C stops the batch and comes back as `fatal`, with the results so far.
 */
export async function executePlan(
  plan: Plan,
  comment: string,
  opts: ResolveOptions,
  ctx: Context,
): Promise<{ results: ResolveResult[]; fatal: unknown }> {
  const results: ResolveResult[] = [];
  const progress = await startProgress(ctx.io, plan.toResolve.length);
  let fatal: unknown;
  try {
    await runPool(
      plan.toResolve,
      opts.concurrency,
      async (v) => {
        try {
          await plan.client.resolveViolation(v.id, comment);
          results.push({ id: v.id, status: 'resolved' });
          progress.tick(`resolved ${describe(v)}`);
        } catch (error) {
          // A rejected token or Ctrl-C fails every remaining item the same way: stop instead.
          if ((error instanceof AuthError && error.status === 401) || error instanceof AbortedError) fatal ??= error;
          else {
            results.push({ id: v.id, status: 'failed', error: reason(error) });
            progress.tick(`failed ${describe(v)}: ${reason(error)}`);
          }
        }
      },
      () => fatal !== undefined || ctx.signal?.aborted === true,
    );
  } finally {
    progress.stop();
  }
  return { results, fatal };
}
