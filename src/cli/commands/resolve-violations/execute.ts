/**
 * The resolving half of resolve-violations. Against a server with `POST /api/violations/resolutions` (this
 * project's) the violations go in chunks, one request per chunk; against one without it (the original Java
 * server) one `POST /api/violations/{id}/resolution` per violation, as the original client did. Either way every
 * item ends as resolved, failed or unknown with its reason, and `--concurrency` requests run at once. A resolution
 * whose answer was lost is not sent again (the client's rule for requests that change something): it is reported
 * unknown, and a rerun skips it if the server did resolve it, so each violation is resolved at most once.
 */
import pLimit from 'p-limit';
import type { BatchResolutionOutcome } from '../../../shared/resolution-batch.js';
import type { Violation } from '../../../shared/violation.js';
import type { Context } from '../../context.js';
import { startProgress } from './progress.js';
import { OutcomeUnknownError } from '../../../client/errors.js';
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

type Failure = { status: 'failed' | 'unknown'; error: string };

/** Why a batch outcome is not a resolution, worded like the single route's errors; undefined when it is one. */
function outcomeFailure(outcome: BatchResolutionOutcome | undefined): Failure | undefined {
  // The batch is applied as a whole, so an id without a known status may well have been resolved.
  if (outcome === undefined) return { status: 'unknown', error: 'the server sent no outcome for it' };
  if (outcome.status === 'resolved') return undefined;
  const message = outcome.message ? `: ${outcome.message}` : '';
  if (outcome.status === 'not_found') return { status: 'failed', error: 'not found' };
  if (outcome.status === 'forbidden') return { status: 'failed', error: `403 forbidden${message}` };
  return { status: 'unknown', error: `the server answered "${String(outcome.status)}"${message}` };
}

/** A failed request's items are `unknown` when the server may have applied it, else `failed`. */
function requestFailure(error: unknown): Failure {
  return { status: error instanceof OutcomeUnknownError ? 'unknown' : 'failed', error: reason(error) };
}

/**
 * Resolves every violation of the plan with `comment`, and reports each: resolved, failed, or unknown when its
 * answer was lost. A rejected token or Ctrl-C stops the batch and comes back as `fatal`; the violations not sent by
 * then are reported failed ("not sent").
 */
export async function executePlan(
  plan: Plan,
  comment: string,
  opts: ResolveOptions,
  ctx: Context,
): Promise<{ results: ResolveResult[]; fatal: unknown }> {
  const results: ResolveResult[] = [];
  const progress = await startProgress(ctx.io, plan.toResolve.length);
  const record = (v: Violation, failure: Failure | undefined) => {
    if (failure === undefined) {
      results.push({ id: v.id, status: 'resolved' });
      progress.tick(`resolved ${describe(v)}`);
    } else {
      results.push({ id: v.id, ...failure });
      progress.tick(`${failure.status} ${describe(v)}: ${failure.error}`);
    }
  };
  let fatal: unknown;
  const stopped = () => fatal !== undefined || ctx.signal?.aborted === true;
  const notSent = (): Failure => ({
    status: 'failed',
    error: ctx.signal?.aborted ? 'not sent: interrupted' : `not sent: stopped by ${reason(fatal)}`,
  });
  const limit = pLimit(opts.concurrency);
  // Runs `work` for one unit (a violation or a chunk); a failure of the whole unit is a failure of each of its items.
  const run = async (items: Violation[], work: () => Promise<void>) => {
    if (stopped()) {
      for (const v of items) record(v, notSent());
      return;
    }
    try {
      await work();
    } catch (error) {
      if (isFatal(error)) fatal ??= error;
      for (const v of items) record(v, requestFailure(error));
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
          for (const v of chunk) record(v, outcomeFailure(byId.get(v.id)));
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
    // Only the capability probe gets here, which resolves nothing: no violation was sent.
    fatal ??= error;
    for (const v of plan.toResolve) record(v, notSent());
  } finally {
    progress.stop();
  }
  return { results, fatal };
}
