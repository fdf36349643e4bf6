/**
 * The enrichment tables of the SQLite store: lifecycle records and pending evaluations. Writes run inside the
 * caller's transaction (a file's commit, a claim, a settlement); the store's clock is this machine's, which every
 * process sharing the file reads alike.
 */
import type { Database, Statement } from 'better-sqlite3';
import { SYSTEM_AUDITOR } from './sqlite-inserter.js';
import { deadLocalClaimant } from './claims.js';
import {
  LIFECYCLE_COLUMNS,
  lifecycleOrderBy,
  type LifecycleQuery,
  type LifecycleRecord,
  type LifecycleRow,
  type PendingClaimRequest,
  type PendingEvaluation,
  type PendingEvaluationDraft,
  type PendingStatus,
} from './enrichment-types.js';

interface PendingRow {
  id: number;
  event_id: string;
  account_id: string;
  region: string;
  event: string;
  source: string;
  key: string;
  config_fingerprint: string;
  attempts: number;
  last_error: string;
  retryable: number;
  created: number;
}

export const toPendingEvaluation = (row: PendingRow): PendingEvaluation => ({
  id: row.id,
  eventId: row.event_id,
  accountId: row.account_id,
  region: row.region,
  event: row.event,
  source: row.source,
  key: row.key,
  configFingerprint: row.config_fingerprint,
  attempts: Number(row.attempts),
  lastError: row.last_error,
  retryable: Boolean(row.retryable),
  created: Number(row.created),
});

export class SqliteEnrichment {
  private readonly insertLifecycle: Statement;
  private readonly insertPending: Statement;
  private readonly due: Statement;
  private readonly claim: Statement;
  private readonly claimants: Statement;
  private readonly deleteClaimed: Statement;
  private readonly rescheduleRow: Statement;
  private readonly status: Statement;

  constructor(private readonly db: Database) {
    this.insertLifecycle = db.prepare(`INSERT INTO lifecycle
      (application, application_version, event_type, event_date, event_id, account_id, region, instance_id, image_id,
       image_name, created, created_by, last_modified, last_modified_by)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    // An event pending already keeps its row (and its attempts).
    this.insertPending = db.prepare(`INSERT INTO pending_evaluation
      (event_id, account_id, region, event, source, key, config_fingerprint, attempts, last_error, retryable,
       next_attempt_at, created)
      VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    this.due = db.prepare(`SELECT id FROM pending_evaluation
      WHERE (next_attempt_at <= @now OR config_fingerprint <> @fingerprint)
        AND (claimed_until IS NULL OR claimed_until <= @now OR claimed_by IN (SELECT value FROM json_each(@dead)))
      ORDER BY next_attempt_at, id LIMIT @limit`);
    this.claimants = db.prepare('SELECT DISTINCT claimed_by FROM pending_evaluation WHERE claimed_until > ?');
    this.claim = db.prepare(`UPDATE pending_evaluation
      SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1 WHERE id = ?
      RETURNING id, event_id, account_id, region, event, source, key, config_fingerprint, attempts, last_error,
        retryable, created`);
    this.deleteClaimed = db.prepare('DELETE FROM pending_evaluation WHERE id = ? AND claimed_by = ?');
    this.rescheduleRow = db.prepare(`UPDATE pending_evaluation
      SET last_error = ?, retryable = ?, next_attempt_at = ?, config_fingerprint = ?, claimed_by = NULL,
        claimed_until = NULL
      WHERE id = ? AND claimed_by = ?`);
    this.status = db.prepare(`SELECT count(*) AS count, min(created) AS oldest,
      min(max(next_attempt_at, coalesce(claimed_until, 0))) AS next FROM pending_evaluation`);
  }

  /** Records lifecycle rows; one already recorded for the same event and instance is skipped. */
  addLifecycles(records: readonly LifecycleRecord[], now: number): void {
    for (const r of records) {
      this.insertLifecycle.run(
        r.applicationId,
        r.applicationVersion,
        r.eventType,
        Date.parse(r.eventDate),
        r.eventId,
        r.accountId,
        r.region,
        r.instanceId,
        r.imageId,
        r.imageName,
        now,
        SYSTEM_AUDITOR,
        now,
        SYSTEM_AUDITOR,
      );
    }
  }

  addPending(drafts: readonly PendingEvaluationDraft[], now: number): void {
    for (const d of drafts) {
      this.insertPending.run(
        d.eventId,
        d.accountId,
        d.region,
        d.event,
        d.source,
        d.key,
        d.configFingerprint,
        d.lastError,
        d.retryable ? 1 : 0,
        now + d.delayMs,
        now,
      );
    }
  }

  /**
   * Claims due rows nobody holds: unclaimed, their claim expired, or their claimant a process of this host that is
   * gone (a SQLite file is shared by the processes of one host). Call inside an immediate transaction, so that of
   * several processes one claims each row.
   */
  claimDue(request: PendingClaimRequest, now: number): PendingEvaluation[] {
    const dead = (this.claimants.pluck().all(now) as string[]).filter(deadLocalClaimant);
    const ids = this.due.pluck().all({
      now,
      fingerprint: request.configFingerprint,
      limit: request.limit,
      dead: JSON.stringify(dead),
    }) as number[];
    return ids.map((id) =>
      toPendingEvaluation(this.claim.get(request.claimant, now + request.leaseMs, id) as PendingRow),
    );
  }

  /** Deletes a row the claimant still holds; false when the claim was lost. */
  release(id: number, claimant: string): boolean {
    return this.deleteClaimed.run(id, claimant).changes > 0;
  }

  reschedule(
    id: number,
    claimant: string,
    next: { lastError: string; retryable: boolean; delayMs: number; configFingerprint: string },
    now: number,
  ): boolean {
    return (
      this.rescheduleRow.run(
        next.lastError,
        next.retryable ? 1 : 0,
        now + next.delayMs,
        next.configFingerprint,
        id,
        claimant,
      ).changes > 0
    );
  }

  pendingStatus(now: number): PendingStatus {
    const row = this.status.get() as { count: number; oldest: number | null; next: number | null };
    return {
      count: row.count,
      oldestAgeMs: row.oldest === null ? null : Math.max(0, now - row.oldest),
      nextDueInMs: row.next === null ? null : Math.max(0, row.next - now),
    };
  }

  listLifecycles(query: LifecycleQuery): { rows: LifecycleRow[]; total: number } {
    const where = query.version === undefined ? 'application = ?' : 'application = ? AND application_version = ?';
    const params = query.version === undefined ? [query.application] : [query.application, query.version];
    const total = this.db
      .prepare(`SELECT count(*) FROM lifecycle WHERE ${where}`)
      .pluck()
      .get(...params) as number;
    const offset = query.page * query.size;
    if (total === 0 || offset >= total) return { rows: [], total };
    const rows = this.db
      .prepare(
        `SELECT ${LIFECYCLE_COLUMNS} FROM lifecycle WHERE ${where} ORDER BY ${lifecycleOrderBy(query.sort)} LIMIT ? OFFSET ?`,
      )
      .all(...params, query.size, offset) as LifecycleRow[];
    return { rows, total };
  }
}
