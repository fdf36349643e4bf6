/**
 * The resolving half of resolve-violations. Against a server with `POST /api/violations/resolutions` (this
 * project's) the violations go in chunks, one request per chunk; against one without it (the original Java
 * server) one `POST /api/violations/{id}/resolution` per violation, as the original client did. Either way every
 * item ends as resolved or failed with its reason, and `--concurrency` requests run at once.
 */
import pLimit from 'p-limit';
import type { BatchResolutionOutcome } from '../../../shared/resolution-batch.js';
import type { Violation } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import { startProgress } from './progress.js';
import { isFatal, reason, type Plan, type ResolveOptions, type ResolveResult } from './resolve.js';

/**
 * Violations per batch request. Below the server's limit (MAX_BATCH_RESOLUTION_IDS) so that a big batch shows
 * progress and keeps a few requests in flight, while 1,000 violations still take only four requests.
 */
export const BATCH_CHUNK = 250;

function describe(v: Violation): string {
  return `${v.id} (${v.account_id ?? '?'}/${v.region ?? '?'} ${v.violation_type.id})`;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Why a batch outcome is a failure, worded like the single route's errors; undefined when it was resolved. */
function outcomeError(outcome: BatchResolutionOutcome | undefined): string | undefined {
  if (outcome === undefined) return 'the server sent no outcome for it';
  if (outcome.status === 'resolved') return undefined;
  if (outcome.status === 'not_found') return 'not found';
  if (outcome.status === 'forbidden') return `403 forbidden${outcome.message ? `: ${outcome.message}` : ''}`;
  return `${String(outcome.status)}${outcome.message ? `: ${outcome.message}` : ''}`;
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
  const record = (v: Violation, error: string | undefined) => {
    if (error === undefined) {
      results.push({ id: v.id, status: 'resolved' });
      progress.tick(`resolved ${describe(v)}`);
    } else {
      results.push({ id: v.id, status: 'failed', error });
      progress.tick(`failed ${describe(v)}: ${error}`);
    }
  };
  let fatal: unknown;
  const stopped = () => fatal !== undefined || ctx.signal?.aborted === true;
  const limit = pLimit(opts.concurrency);
  // Runs `work` for one unit (a violation or a chunk); a failure of the whole unit fails each of its items.
  const run = async (items: Violation[], work: () => Promise<void>) => {
    if (stopped()) return;
    try {
      await work();
    } catch (error) {
      if (isFatal(error)) fatal ??= error;
      else for (const v of items) record(v, reason(error));
    }
  };
  try {
    if (plan.toResolve.length > 0 && (await plan.client.supportsBatchResolution())) {
      await limit.map(chunks(plan.toResolve, BATCH_CHUNK), (chunk) =>
        run(chunk, async () => {
          const outcomes = await plan.client.resolveViolations(
            chunk.map((v) => v.id),
            comment,
          );
          const byId = new Map(outcomes.map((o) => [o.id, o]));
          for (const v of chunk) record(v, outcomeError(byId.get(v.id)));
        }),
      );
    } else {
      await limit.map(plan.toResolve, (v) =>
        run([v], async () => {
          await plan.client.resolveViolation(v.id, comment);
          record(v, undefined);
        }),
      );
    }
  } catch (error) {
    // Only the capability probe gets here: nothing has been resolved yet.
    fatal ??= error;
  } finally {
    progress.stop();
  }
  return { results, fatal };
}
