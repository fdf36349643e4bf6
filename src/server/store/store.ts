/**
 * The one storage interface of the server. Every adapter (SQLite, PostgreSQL)
 * implements it and passes the shared contract test. Methods are async so that network-backed adapters fit.
 *
 * The ingest-facing part below is a contract between the ingest pipeline and the store; change it only
 * together with both.
 */
import type { ViolationDraft, ProcessedFile, IngestFailure, InsertResult } from '../model.js';
import type {
  ViolationFilter,
  PageRequest,
  PageResult,
  CountFilter,
  WhitelistingRuleDraft,
  ExpireWhitelistingRuleResult,
} from '../model.js';
import type {
  Violation,
  ViolationType,
  WhitelistingRule,
  CountByAccountAndType,
  CountByAppVersionAndType,
} from '../../shared/violation.js';
import type { Lifecycle } from '../../shared/lifecycle.js';
import type {
  LifecycleQuery,
  LifecycleRecord,
  PendingClaimRequest,
  PendingEvaluation,
  PendingEvaluationDraft,
  PendingSettlement,
  PendingStatus,
  SettleResult,
} from './enrichment-types.js';

/** One file to commit: its processed-file record and what was found in it. */
export interface FileCommit {
  file: ProcessedFile;
  drafts: ViolationDraft[];
  /** Application lifecycle records of its EC2 instance events. */
  lifecycles?: readonly LifecycleRecord[];
  /** Its events whose look-ups failed: evaluated again later (`claimPendingEvaluations`). */
  pending?: readonly PendingEvaluationDraft[];
}

export interface IngestStore {
  /**
   * Inserts the file's violations and the record that the file was processed, in one transaction.
   * Duplicates (same account, region, event id, type and instance id) are skipped and counted.
   * Whitelisting rules run on every new violation. Calling it again for a file already recorded with the
   * same fingerprint inserts nothing and returns `{ inserted: 0, duplicates: drafts.length }`.
   */
  commitFile(file: ProcessedFile, drafts: ViolationDraft[]): Promise<InsertResult>;
  /**
   * Commits several files, each exactly as `commitFile` would, in one transaction: all of them or none.
   * Returns one result per file, in order.
   */
  commitFiles(files: ReadonlyArray<FileCommit>): Promise<InsertResult[]>;
  /** True when this exact file (same source, key and fingerprint) was committed before. */
  isFileProcessed(source: string, key: string, fingerprint: string): Promise<boolean>;
  /** The keys among `files` committed before with the same fingerprint: `isFileProcessed` for a whole batch. */
  processedKeys(source: string, files: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>>;
  /**
   * Records a file that could not be read as CloudTrail at all, or (`transient`) could not be fetched; a later
   * successful commit clears it. Recording it again replaces the earlier record.
   */
  recordIngestFailure(failure: Omit<IngestFailure, 'at'> & { transient?: boolean }): Promise<void>;
  /**
   * The keys among `files` whose recorded failure has the same fingerprint and was not transient: a polling
   * ingest does not read them again until they change.
   */
  failedKeys(source: string, files: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>>;
  listIngestFailures(): Promise<IngestFailure[]>;

  /**
   * Claims up to `limit` pending evaluations that are due (their next attempt time has come, or they failed under
   * another configuration) and not claimed by anyone else, for `leaseMs`, counting the attempt. Of several
   * processes claiming at once, each row goes to exactly one.
   */
  claimPendingEvaluations(request: PendingClaimRequest): Promise<PendingEvaluation[]>;
  /**
   * Settles claimed rows in one transaction: an evaluated row's violations (whitelisted, deduplicated) and
   * lifecycle records are committed and the row deleted; a failed one is rescheduled and released. Only rows the
   * claimant still holds are touched (`lost` otherwise). One result per settlement, in order.
   */
  settlePendingEvaluations(claimant: string, settlements: readonly PendingSettlement[]): Promise<SettleResult[]>;
  pendingEvaluationStatus(): Promise<PendingStatus>;
  /**
   * Claims listed objects for this process to read, so that server replicas sharing a store split a listing
   * instead of all reading it: `claimed` are this process's now, `done` were committed meanwhile (same
   * fingerprint), and the others are being read by another replica (or by another loop of this process). A claim
   * ends when the file is committed or its failure recorded, when it is released, or when its lease expires: a
   * replica that dies loses its claims then, or at once when its database sessions end with it (PostgreSQL). The
   * commit stays exactly-once without claims; they only keep replicas from reading the same file. One node
   * (SQLite) claims whatever it does not hold already.
   */
  claimObjects(source: string, objects: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<ObjectClaims>;
  /** Gives up claims without committing (a run that stops, a file that could not be fetched). */
  releaseObjects(source: string, keys: readonly string[]): Promise<void>;
  /** The claims this process holds now, for `/health`. */
  claimStatus(): ClaimStatus;
  /** Resolves when the store answers a trivial query (`SELECT 1`) within `timeoutMs`; rejects otherwise. */
  ping(timeoutMs: number): Promise<void>;
}

/** The outcome of `claimObjects`; keys in neither set are claimed by someone else. */
export interface ObjectClaims {
  claimed: Set<string>;
  done: Set<string>;
}

export interface ClaimStatus {
  /** Who this process is in the lease table: `host/pid/random`. */
  owner: string;
  /** Objects claimed and not yet committed, recorded as failed or released. */
  held: number;
  /** How long a claim lasts unless renewed (renewed every third of it while held); null where claims never expire. */
  leaseSeconds: number | null;
}

/** Everything the HTTP API needs, on top of ingestion. Violations come back as the wire DTOs. */
export interface ViolationStore extends IngestStore {
  /** Inserts violations outside any file (`POST /api/violations`): dedup, whitelisting, unknown types created. */
  insertViolations(drafts: ViolationDraft[]): Promise<InsertResult>;
  /** One page of violations plus the total number matching the filter. */
  listViolations(filter: ViolationFilter, page: PageRequest): Promise<PageResult<Violation>>;
  /** Optional fast path: the same page's `content` as a JSON array (UTF-8), exactly as the DTOs serialise. */
  listViolationsJson?(filter: ViolationFilter, page: PageRequest): Promise<JsonPage>;
  getViolation(id: number): Promise<Violation | undefined>;
  /**
   * Sets the comment (re-resolving overwrites it) when the violation's account is among `accounts`, checked in
   * the same statement as the update; tells `not_found` from `forbidden` (with the account) otherwise.
   */
  resolveViolation(id: number, comment: string, by: string, accounts: ResolvableAccounts): Promise<Resolution>;
  /**
   * `resolveViolation` for each of `ids` (distinct), in one transaction; one outcome per id, in the order of
   * `ids`. The resolved rows are not read back.
   */
  resolveViolations(
    ids: readonly number[],
    comment: string,
    by: string,
    accounts: ResolvableAccounts,
  ): Promise<BatchResolution[]>;

  listViolationTypes(): Promise<ViolationType[]>;
  /** Open/resolved/whitelisted counts per account and type; `from`/`to` strict, as in the original. */
  countByAccountAndType(accounts: string[] | undefined, filter: CountFilter): Promise<CountByAccountAndType[]>;
  /** Counts of one account per application, version and type; `from`/`to` inclusive, as in the original. */
  countByAppVersionAndType(account: string, filter: CountFilter): Promise<CountByAppVersionAndType[]>;

  /** All whitelisting rules, expired ones included, in id order. */
  listWhitelistingRules(): Promise<WhitelistingRule[]>;
  getWhitelistingRule(id: number): Promise<WhitelistingRule | undefined>;
  /** Throws `UnknownViolationTypeError` when `violationType` names no type. */
  createWhitelistingRule(draft: WhitelistingRuleDraft, by: string): Promise<WhitelistingRule>;
  /** Expires the rule now and creates its replacement in one transaction; undefined when it does not exist. */
  replaceWhitelistingRule(id: number, draft: WhitelistingRuleDraft, by: string): Promise<WhitelistingRule | undefined>;
  /** Moves the expiry to `expiry` when both it and the current expiry lie in the future, as the original's rule expiry does. */
  expireWhitelistingRule(id: number, expiry: number, by: string): Promise<ExpireWhitelistingRuleResult>;

  /** One page of an application's lifecycle records, with the total (the original's LifecycleRepositoryImpl). */
  listLifecycles(query: LifecycleQuery): Promise<PageResult<Lifecycle>>;

  close(): Promise<void>;
}

/** `content` of a page as JSON bytes (in pieces, to be joined once), its number of elements and the total matching the filter. */
export interface JsonPage {
  json: readonly Buffer[];
  count: number;
  total: number;
}

/** The accounts a caller may resolve violations of: every account, or these. */
export type ResolvableAccounts = '*' | readonly string[];

/** The outcome of one resolution. */
export type Resolution =
  | { status: 'resolved'; violation: Violation }
  | { status: 'not_found' }
  | { status: 'forbidden'; accountId: string | null };

/** The outcome for one id of a batch: as {@link Resolution}, without the updated violation. */
export type BatchResolution =
  | { id: number; status: 'resolved' }
  | { id: number; status: 'not_found' }
  | { id: number; status: 'forbidden'; accountId: string | null };

/** A whitelisting rule names a violation type the store does not know. */
export class UnknownViolationTypeError extends Error {
  constructor(readonly typeId: string) {
    super(`unknown violation type '${typeId}'`);
    this.name = 'UnknownViolationTypeError';
  }
}
