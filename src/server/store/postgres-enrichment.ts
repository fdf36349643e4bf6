/**
 * The enrichment tables of the PostgreSQL store: lifecycle records and pending evaluations. Every time is the
 * database's clock (`NOW_MS`), never a replica's, so leases and backoff mean the same on every replica. Claims
 * take due rows with FOR UPDATE SKIP LOCKED (replicas claiming at once never wait for or take each other's rows)
 * and keep them for a lease, or until the claimant dies (postgres-liveness.ts); settling touches only rows the
 * claimant still holds.
 */
import { lockHeld } from './postgres-liveness.js';
import { pgText, type Queryable } from './postgres-pool.js';
import { SYSTEM_AUDITOR } from './sqlite-inserter.js';
import {
  LIFECYCLE_COLUMNS,
  lifecycleOrderBy,
  type LifecycleQuery,
  type LifecycleRecord,
  type LifecycleRow,
  type PendingClaimRequest,
  type PendingEvaluation,
  type PendingEvaluationDraft,
  type PendingSettlement,
  type PendingStatus,
} from './enrichment-types.js';

/** The database's clock in epoch milliseconds, fixed for the statement. */
const NOW_MS = '(extract(epoch FROM statement_timestamp()) * 1000)::bigint';

const PENDING_COLUMNS = `p.id, p.event_id AS "eventId", p.account_id AS "accountId", p.region, p.event, p.source,
  p.key, p.config_fingerprint AS "configFingerprint", p.attempts, p.last_error AS "lastError", p.retryable, p.created`;

/** Records lifecycle rows (those of an event and instance recorded before are skipped). */
export async function addLifecycles(db: Queryable, records: readonly LifecycleRecord[]): Promise<void> {
  if (records.length === 0) return;
  const column = <T>(pick: (r: LifecycleRecord) => T) => records.map(pick);
  await db.query(
    `INSERT INTO lifecycle (application, application_version, event_type, event_date, event_id, account_id, region,
       instance_id, image_id, image_name, created, created_by, last_modified, last_modified_by)
      SELECT a, v, t, d, e, ac, r, i, im, imn, ${NOW_MS}, $11, ${NOW_MS}, $11
      FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
        $9::text[], $10::text[]) WITH ORDINALITY AS l(a, v, t, d, e, ac, r, i, im, imn, n)
      ORDER BY n
      ON CONFLICT DO NOTHING`,
    [
      column((r) => pgText(r.applicationId)),
      column((r) => pgText(r.applicationVersion)),
      column((r) => r.eventType),
      column((r) => Date.parse(r.eventDate)),
      column((r) => pgText(r.eventId)),
      column((r) => pgText(r.accountId)),
      column((r) => pgText(r.region)),
      column((r) => pgText(r.instanceId)),
      column((r) => pgText(r.imageId)),
      column((r) => pgText(r.imageName)),
      SYSTEM_AUDITOR,
    ],
  );
}

/** Records pending evaluations; an event pending already keeps its row (and its attempts). */
export async function addPending(db: Queryable, drafts: readonly PendingEvaluationDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  const column = <T>(pick: (d: PendingEvaluationDraft) => T) => drafts.map(pick);
  await db.query(
    `INSERT INTO pending_evaluation (event_id, account_id, region, event, source, key, config_fingerprint, attempts,
       last_error, retryable, next_attempt_at, created)
      SELECT e, a, r, ev, s, k, f, 1, le, rt, ${NOW_MS} + dl, ${NOW_MS}
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
        $9::boolean[], $10::bigint[]) AS p(e, a, r, ev, s, k, f, le, rt, dl)
      ORDER BY a, r, e
      ON CONFLICT DO NOTHING`,
    [
      column((d) => pgText(d.eventId)),
      column((d) => pgText(d.accountId)),
      column((d) => pgText(d.region)),
      column((d) => pgText(d.event)),
      column((d) => pgText(d.source)),
      column((d) => pgText(d.key)),
      column((d) => pgText(d.configFingerprint)),
      column((d) => pgText(d.lastError)),
      column((d) => d.retryable),
      column((d) => Math.round(d.delayMs)),
    ],
  );
}

/**
 * Claims due rows that nobody holds: unclaimed, their claim expired, or their claimant dead (its liveness lock
 * gone with its session). `lock` is the liveness lock this process holds (null: none; the claim then lasts until
 * it expires).
 */
export async function claimDue(
  db: Queryable,
  request: PendingClaimRequest,
  lock: number | null,
): Promise<PendingEvaluation[]> {
  const { rows } = await db.query<PendingEvaluation>(
    `WITH due AS (
      SELECT id FROM pending_evaluation
      WHERE (next_attempt_at <= ${NOW_MS} OR config_fingerprint <> $3)
        AND (claimed_until IS NULL OR claimed_until <= ${NOW_MS}
          OR (claimed_lock IS NOT NULL AND NOT ${lockHeld('claimed_lock')}))
      ORDER BY next_attempt_at, id
      LIMIT $2
      FOR UPDATE SKIP LOCKED
    )
    UPDATE pending_evaluation p
      SET claimed_by = $1, claimed_until = ${NOW_MS} + $4, claimed_lock = $5::integer, attempts = p.attempts + 1
      FROM due WHERE p.id = due.id
      RETURNING ${PENDING_COLUMNS}`,
    [pgText(request.claimant), request.limit, pgText(request.configFingerprint), Math.round(request.leaseMs), lock],
  );
  return rows.sort((a, b) => a.id - b.id);
}

/** Deletes the rows of `ids` the claimant still holds; returns those deleted. */
export async function releaseClaimed(db: Queryable, claimant: string, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: number }>(
    'DELETE FROM pending_evaluation WHERE id = ANY($1::bigint[]) AND claimed_by = $2 RETURNING id',
    [ids, pgText(claimant)],
  );
  return new Set(rows.map((row) => row.id));
}

/** Reschedules and releases the failed rows the claimant still holds; returns those updated. */
export async function rescheduleClaimed(
  db: Queryable,
  claimant: string,
  failed: ReadonlyArray<Extract<PendingSettlement, { outcome: 'failed' }>>,
): Promise<Set<number>> {
  if (failed.length === 0) return new Set();
  const { rows } = await db.query<{ id: number }>(
    `UPDATE pending_evaluation p SET last_error = f.le, retryable = f.rt, next_attempt_at = ${NOW_MS} + f.dl,
       config_fingerprint = f.fp, claimed_by = NULL, claimed_until = NULL, claimed_lock = NULL
      FROM unnest($1::bigint[], $2::text[], $3::boolean[], $4::bigint[], $5::text[]) AS f(id, le, rt, dl, fp)
      WHERE p.id = f.id AND p.claimed_by = $6
      RETURNING p.id`,
    [
      failed.map((f) => f.id),
      failed.map((f) => pgText(f.lastError)),
      failed.map((f) => f.retryable),
      failed.map((f) => Math.round(f.delayMs)),
      failed.map((f) => pgText(f.configFingerprint)),
      pgText(claimant),
    ],
  );
  return new Set(rows.map((row) => row.id));
}

export async function pendingStatus(db: Queryable): Promise<PendingStatus> {
  const { rows } = await db.query<{ count: number; oldest: number | null; next: number | null }>(
    `SELECT count(*)::bigint AS count, ${NOW_MS} - min(created) AS oldest,
      min(greatest(next_attempt_at, coalesce(claimed_until, 0))) - ${NOW_MS} AS next FROM pending_evaluation`,
  );
  const row = rows[0]!;
  return {
    count: row.count,
    oldestAgeMs: row.oldest === null ? null : Math.max(0, row.oldest),
    nextDueInMs: row.next === null ? null : Math.max(0, row.next),
  };
}

export async function listLifecycles(
  db: Queryable,
  query: LifecycleQuery,
): Promise<{ rows: LifecycleRow[]; total: number }> {
  const params: unknown[] = [pgText(query.application)];
  let where = 'application = $1';
  if (query.version !== undefined) {
    params.push(pgText(query.version));
    where += ' AND application_version = $2';
  }
  const { rows: counted } = await db.query<{ total: number }>(
    `SELECT count(*)::bigint AS total FROM lifecycle WHERE ${where}`,
    params,
  );
  const total = counted[0]!.total;
  const offset = query.page * query.size;
  if (total === 0 || offset >= total) return { rows: [], total };
  const { rows } = await db.query<LifecycleRow>(
    `SELECT ${LIFECYCLE_COLUMNS} FROM lifecycle WHERE ${where} ORDER BY ${lifecycleOrderBy(query.sort)}
      LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, query.size, offset],
  );
  return { rows, total };
}
