/**
 * What the store keeps for enrichment: events whose look-ups failed (pending evaluations, retried later with
 * backoff) and application lifecycle records. Part of the contract between the ingest pipeline and the store.
 */
import type { InsertResult, ViolationDraft } from '../model.js';
import type { LifecycleRecord } from '../enrich/lifecycle.js';
import type { Lifecycle } from '../../shared/lifecycle.js';

export type { LifecycleRecord } from '../enrich/lifecycle.js';

/** An event to evaluate again because a look-up it needs failed. */
export interface PendingEvaluationDraft {
  eventId: string;
  accountId: string;
  region: string;
  /** The CloudTrail event, as JSON text. */
  event: string;
  /** The file it was read from, for operators. */
  source: string;
  key: string;
  /** The rules and enrichment configuration it failed under; a row is due at once under another one. */
  configFingerprint: string;
  lastError: string;
  /** False when asking again is unlikely to help before someone fixes something (e.g. a misconfigured URL). */
  retryable: boolean;
  /** The next attempt is due this long after now, by the store's clock. */
  delayMs: number;
}

/** A pending evaluation as claimed: `attempts` counts this attempt too. */
export interface PendingEvaluation extends Omit<PendingEvaluationDraft, 'delayMs'> {
  id: number;
  attempts: number;
  /** Epoch ms, by the store's clock. */
  created: number;
}

export interface PendingClaimRequest {
  /**
   * Who claims, unique per claim (e.g. host, process and a counter): only this claimant can settle the rows, so a
   * retrier whose lease ran out and whose rows were claimed again by another one writes nothing.
   */
  claimant: string;
  limit: number;
  /**
   * The rows stay claimed this long (by the store's clock); then another claimant may take them, or at once when
   * the claimant's process is gone (SQLite: a process of this host that no longer exists; PostgreSQL: its
   * liveness lock went with its session).
   */
  leaseMs: number;
  /** Rows that failed under another configuration are due now, whatever their next attempt time. */
  configFingerprint: string;
}

/** The outcome of retrying one claimed row. */
export type PendingSettlement =
  | { id: number; outcome: 'evaluated'; drafts: ViolationDraft[]; lifecycles: LifecycleRecord[] }
  | {
      id: number;
      outcome: 'failed';
      lastError: string;
      retryable: boolean;
      delayMs: number;
      configFingerprint: string;
    };

export type SettleResult =
  /** Its violations and lifecycle records are committed and the row is gone. */
  | ({ id: number; status: 'evaluated' } & InsertResult)
  /** The row waits for its next attempt. */
  | { id: number; status: 'rescheduled' }
  /** The claim was no longer this claimant's (its lease ran out and another one took the row): nothing written. */
  | { id: number; status: 'lost' };

export interface PendingStatus {
  count: number;
  /** Age of the oldest row in ms, by the store's clock; null when there is none. */
  oldestAgeMs: number | null;
  /** How long until the next row can be claimed (0: now); null when there is none. */
  nextDueInMs: number | null;
}

/** Entity property names the lifecycle list can be sorted by, as the original's `sort` parameter names them. */
export const LIFECYCLE_SORT_PROPERTIES = [
  'id',
  'created',
  'createdBy',
  'lastModified',
  'lastModifiedBy',
  'eventDate',
  'eventType',
  'accountId',
  'region',
  'instanceId',
  'imageId',
  'imageName',
  'instanceBootTime',
  'userdataPath',
  'applicationEntity.name',
  'versionEntity.name',
] as const;
export type LifecycleSortProperty = (typeof LIFECYCLE_SORT_PROPERTIES)[number];

/** The column of each sortable property (both stores name them alike). */
export const LIFECYCLE_SORT_COLUMNS: Readonly<Record<LifecycleSortProperty, string>> = {
  id: 'id',
  created: 'created',
  createdBy: 'created_by',
  lastModified: 'last_modified',
  lastModifiedBy: 'last_modified_by',
  eventDate: 'event_date',
  eventType: 'event_type',
  accountId: 'account_id',
  region: 'region',
  instanceId: 'instance_id',
  imageId: 'image_id',
  imageName: 'image_name',
  instanceBootTime: 'instance_boot_time',
  userdataPath: 'userdata_path',
  'applicationEntity.name': 'application',
  'versionEntity.name': 'application_version',
};

export interface LifecycleQuery {
  application: string;
  /** Only this version; all versions when absent. */
  version?: string;
  page: number;
  size: number;
  /** Never empty: the API layer applies the default `created ASC`. Ties are broken by id. */
  sort: Array<{ property: LifecycleSortProperty; direction: 'ASC' | 'DESC' }>;
}

/** The lifecycle row columns both stores select (times in epoch ms). */
export interface LifecycleRow {
  application: string;
  application_version: string;
  event_date: number | null;
  image_id: string | null;
  image_name: string | null;
  region: string | null;
  instance_boot_time: number | null;
  event_type: string | null;
  instance_id: string | null;
  created: number;
}

export const LIFECYCLE_COLUMNS =
  'application, application_version, event_date, image_id, image_name, region, instance_boot_time, event_type, instance_id, created';

/** `ORDER BY` for a lifecycle query: the requested orders, then id for a stable page order. */
export function lifecycleOrderBy(sort: LifecycleQuery['sort']): string {
  // Nulls last ascending, first descending, in both stores (SQLite's default is the other way round).
  const orders = sort.map(
    ({ property, direction }) =>
      `${LIFECYCLE_SORT_COLUMNS[property]} ${direction} ${direction === 'ASC' ? 'NULLS LAST' : 'NULLS FIRST'}`,
  );
  if (!sort.some((s) => s.property === 'id')) orders.push('id ASC');
  return orders.join(', ');
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

export const toLifecycle = (row: LifecycleRow): Lifecycle => ({
  application: row.application,
  version: row.application_version,
  event_date: iso(row.event_date),
  image_id: row.image_id,
  image_name: row.image_name,
  region: row.region,
  instance_boot_time: iso(row.instance_boot_time),
  event_type: row.event_type,
  instance_id: row.instance_id,
  created: iso(row.created),
});
