/**
 * The embedded store: better-sqlite3 in WAL mode. Calls are synchronous underneath and wrapped in promises to
 * fit the async `ViolationStore` interface.
 *
 * `total_elements` needs a count per list request; counting a million rows each time is too slow, so counts are
 * cached per normalised filter and dropped whenever the data changes: on every write of this connection, and
 * when `PRAGMA data_version` shows a commit by another connection (e.g. a `fullstop ingest` process).
 */
import type Database from 'better-sqlite3';
import type {
  BatchResolution,
  ClaimStatus,
  FileCommit,
  ObjectClaims,
  Resolution,
  ResolvableAccounts,
  ViolationStore,
} from './store.js';
import { UnknownViolationTypeError } from './store.js';
import type { JsonPage } from './store.js';
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
import { openSqlite } from './sqlite-open.js';
import { toViolation, toViolationType, type ViolationRow, type ViolationTypeRow } from './sqlite-rows.js';
import { violationWhere, orderBy, stateCondition } from './sqlite-query.js';
import { SqliteInserter } from './sqlite-inserter.js';
import { SqliteRules } from './sqlite-rules.js';
import { installJsonSupport, MissingTypeJsonError, writeTypeJson } from './sqlite-json.js';
import { RowJsonCache } from './sqlite-json-cache.js';
import { SqliteFileLog } from './sqlite-file-log.js';
import { SqliteResolver } from './sqlite-resolve.js';
import { SqliteWriter } from './sqlite-write.js';
import { SqliteEnrichment } from './sqlite-enrichment.js';
import {
  toLifecycle,
  type LifecycleQuery,
  type PendingClaimRequest,
  type PendingEvaluation,
  type PendingSettlement,
  type PendingStatus,
  type SettleResult,
} from './enrichment-types.js';
import type { Lifecycle } from '../../shared/lifecycle.js';
import { claimOwner, HeldClaims } from './claims.js';

const COUNT_CACHE_LIMIT = 1000;
const OPEN_ONLY = stateCondition(undefined, undefined);
const EMPTY_ARRAY = [Buffer.from('[]')];

export class SqliteStore implements ViolationStore {
  private readonly db: Database.Database;
  private readonly inserter: SqliteInserter;
  private readonly rules: SqliteRules;
  private readonly fileLog: SqliteFileLog;
  private readonly resolver: SqliteResolver;
  private readonly writer: SqliteWriter;
  private readonly enrichment: SqliteEnrichment;
  private types = new Map<string, ViolationType>();
  private readonly counts = new Map<string, number>();
  private readonly statements = new Map<string, Database.Statement>();
  private maxCreated: number | null | undefined;
  private dataVersion = -1;
  private readonly dataVersionStatement: Database.Statement;
  /** The types map last copied into the type JSON table. */
  private typeJsonOf: Map<string, ViolationType> | undefined;
  private readonly rowJson: RowJsonCache;
  /** One node reads everything itself: claims only keep two loops of this process off the same file. */
  private readonly claims = new HeldClaims();
  private readonly owner = claimOwner();

  constructor(path: string) {
    this.db = openSqlite(path);
    this.inserter = new SqliteInserter(this.db);
    this.rules = new SqliteRules(this.db, () => this.inserter.forgetWhitelist());
    this.dataVersionStatement = this.db.prepare('PRAGMA data_version').pluck();
    installJsonSupport(this.db, () => this.types);
    this.rowJson = new RowJsonCache(this.db);
    this.fileLog = new SqliteFileLog(this.db);
    this.resolver = new SqliteResolver(this.db);
    this.writer = new SqliteWriter(this.db);
    this.enrichment = new SqliteEnrichment(this.db);
    this.refresh();
  }

  async commitFile(file: ProcessedFile, drafts: ViolationDraft[]): Promise<InsertResult> {
    return (await this.commitFiles([{ file, drafts }]))[0]!;
  }

  async commitFiles(files: ReadonlyArray<FileCommit>): Promise<InsertResult[]> {
    // One transaction for the batch: a commit (WAL append) costs more than a typical file's inserts.
    if (files.length === 0) return [];
    const results = await this.write(() => files.map((commit) => this.commitOne(commit)));
    for (const { file } of files) this.claims.delete(file.source, [file.key]);
    return results;
  }

  async claimPendingEvaluations(request: PendingClaimRequest): Promise<PendingEvaluation[]> {
    // An immediate transaction: of several processes on the file, one at a time claims, so each row goes to one.
    return this.write(() => this.enrichment.claimDue(request, Date.now()));
  }

  async settlePendingEvaluations(claimant: string, settlements: readonly PendingSettlement[]): Promise<SettleResult[]> {
    if (settlements.length === 0) return [];
    return this.write(() => {
      const now = Date.now();
      return settlements.map((s): SettleResult => {
        if (s.outcome === 'failed')
          return { id: s.id, status: this.enrichment.reschedule(s.id, claimant, s, now) ? 'rescheduled' : 'lost' };
        if (!this.enrichment.release(s.id, claimant)) return { id: s.id, status: 'lost' };
        this.enrichment.addLifecycles(s.lifecycles, now);
        return { id: s.id, status: 'evaluated', ...this.insertDrafts(s.drafts) };
      });
    });
  }

  async pendingEvaluationStatus(): Promise<PendingStatus> {
    return this.enrichment.pendingStatus(Date.now());
  }

  async listLifecycles(query: LifecycleQuery): Promise<PageResult<Lifecycle>> {
    const { rows, total } = this.enrichment.listLifecycles(query);
    return { content: rows.map(toLifecycle), total };
  }

  async isFileProcessed(source: string, key: string, fingerprint: string): Promise<boolean> {
    return this.fileLog.processed(source, key, fingerprint);
  }

  async processedKeys(
    source: string,
    files: ReadonlyArray<{ key: string; fingerprint: string }>,
  ): Promise<Set<string>> {
    return this.fileLog.processedKeys(source, files);
  }

  async failedKeys(source: string, files: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>> {
    return this.fileLog.failedKeys(source, files);
  }

  async recordIngestFailure(f: Omit<IngestFailure, 'at'> & { transient?: boolean }): Promise<void> {
    await this.write(() => this.fileLog.recordIngestFailure(f));
    this.claims.delete(f.source, [f.key]);
  }

  async claimObjects(
    source: string,
    objects: ReadonlyArray<{ key: string; fingerprint: string }>,
  ): Promise<ObjectClaims> {
    const done = this.fileLog.processedKeys(source, objects);
    const claimed = new Set<string>();
    for (const { key } of objects) if (!done.has(key) && !this.claims.has(source, key)) claimed.add(key);
    this.claims.add(source, claimed);
    return { claimed, done };
  }

  async releaseObjects(source: string, keys: readonly string[]): Promise<void> {
    this.claims.delete(source, keys);
  }

  claimStatus(): ClaimStatus {
    return { owner: this.owner, held: this.claims.size, leaseSeconds: null };
  }

  async ping(): Promise<void> {
    // Reads a page of the file (not just `SELECT 1`, which SQLite answers without touching it).
    this.statement('SELECT 1 FROM violation_type LIMIT 1').get();
  }

  async listIngestFailures(): Promise<IngestFailure[]> {
    return this.fileLog.listIngestFailures();
  }

  async insertViolations(drafts: ViolationDraft[]): Promise<InsertResult> {
    return this.write(() => this.insertDrafts(drafts));
  }

  async listViolations(filter: ViolationFilter, page: PageRequest): Promise<PageResult<Violation>> {
    const { total, rows } = this.pageQuery(filter, page, '*');
    if (rows === undefined) return { content: [], total };
    return { content: (rows.statement.all(...rows.params) as ViolationRow[]).map((row) => this.toDto(row)), total };
  }

  /** The page as JSON text (sqlite-json.ts): one snapshot for count and rows, no per-row JS objects. */
  async listViolationsJson(filter: ViolationFilter, page: PageRequest): Promise<JsonPage> {
    try {
      return this.db.transaction(() => this.pageJson(filter, page))();
    } catch (error) {
      if (!(error instanceof MissingTypeJsonError)) throw error;
      this.loadTypes();
      return this.db.transaction(() => this.pageJson(filter, page))();
    }
  }

  async getViolation(id: number): Promise<Violation | undefined> {
    this.refresh();
    const row = this.statement('SELECT * FROM violation WHERE id = ?').get(id) as ViolationRow | undefined;
    return row === undefined ? undefined : this.toDto(row);
  }

  async resolveViolation(id: number, comment: string, by: string, accounts: ResolvableAccounts): Promise<Resolution> {
    const result = await this.write(() => this.resolver.resolve(id, comment, by, accounts));
    return 'status' in result ? result : { status: 'resolved', violation: this.toDto(result) };
  }

  async resolveViolations(
    ids: readonly number[],
    comment: string,
    by: string,
    accounts: ResolvableAccounts,
  ): Promise<BatchResolution[]> {
    return this.write(() => this.resolver.resolveAll(ids, comment, by, accounts));
  }

  async listViolationTypes(): Promise<ViolationType[]> {
    this.refresh();
    return [...this.types.values()];
  }

  async countByAccountAndType(accounts: string[] | undefined, f: CountFilter): Promise<CountByAccountAndType[]> {
    const { sql, params } = this.countWhere(f, '>', '<');
    const byAccount =
      accounts !== undefined && accounts.length > 0 ? ` AND account_id IN (${accounts.map(() => '?').join(', ')})` : '';
    return this.statement(
      `SELECT account_id AS account, violation_type_entity_id AS type, COUNT(*) AS quantity FROM violation
        WHERE ${sql}${byAccount} GROUP BY account_id, violation_type_entity_id ORDER BY account_id ASC, violation_type_entity_id ASC`,
    ).all(...params, ...(accounts ?? [])) as CountByAccountAndType[];
  }

  async countByAppVersionAndType(account: string, f: CountFilter): Promise<CountByAppVersionAndType[]> {
    const { sql, params } = this.countWhere(f, '>=', '<=');
    return this.statement(
      `SELECT v.application_id AS application, v.application_version_id AS version, v.violation_type_entity_id AS type,
        COUNT(*) AS quantity FROM violation v WHERE v.account_id = ? AND ${sql}
        GROUP BY v.application_id, v.application_version_id, v.violation_type_entity_id
        ORDER BY v.application_id ASC NULLS LAST,
          (SELECT created FROM app_version WHERE name = v.application_version_id) DESC NULLS LAST, v.violation_type_entity_id ASC`,
    ).all(account, ...params) as CountByAppVersionAndType[];
  }

  async listWhitelistingRules(): Promise<WhitelistingRule[]> {
    return this.rules.list();
  }

  async getWhitelistingRule(id: number): Promise<WhitelistingRule | undefined> {
    return this.rules.get(id);
  }

  async createWhitelistingRule(draft: WhitelistingRuleDraft, by: string): Promise<WhitelistingRule> {
    this.assertTypeExists(draft.violationType);
    return this.write(() => this.rules.create(draft, by));
  }

  async replaceWhitelistingRule(
    id: number,
    draft: WhitelistingRuleDraft,
    by: string,
  ): Promise<WhitelistingRule | undefined> {
    this.assertTypeExists(draft.violationType);
    return this.write(() => this.rules.replace(id, draft, by));
  }

  async expireWhitelistingRule(id: number, expiry: number, by: string): Promise<ExpireWhitelistingRuleResult> {
    return this.write(() => this.rules.expire(id, expiry, by));
  }

  async close(): Promise<void> {
    this.claims.clear();
    if (this.db.open) this.db.close();
  }

  private pageJson(filter: ViolationFilter, page: PageRequest): JsonPage {
    this.refresh();
    if (this.typeJsonOf !== this.types) {
      writeTypeJson(this.db, this.types.values());
      this.typeJsonOf = this.types;
    }
    const { total, rows } = this.pageQuery(filter, page, 'id, version');
    if (rows === undefined) return { json: EMPTY_ARRAY, count: 0, total };
    const keys = rows.statement.raw().all(...rows.params) as Array<[number, number]>;
    return { json: this.rowJson.page(keys), count: keys.length, total };
  }

  /**
   * The one page query of `listViolations` and its JSON fast path: the number of violations matching the filter
   * and, unless the page lies past them, the statement selecting `columns` of the page's rows with its parameters.
   */
  private pageQuery(
    filter: ViolationFilter,
    page: PageRequest,
    columns: string,
  ): { total: number; rows?: { statement: Database.Statement; params: unknown[] } } {
    this.refresh();
    const normalised = this.normalise(filter);
    const where = violationWhere(normalised, this.types.values());
    const total = this.count(normalised, where.sql, where.params);
    const offset = page.page * page.size;
    if (total === 0 || offset >= total) return { total };
    const sql = `SELECT ${columns} FROM violation WHERE ${where.sql} ORDER BY ${orderBy(page.sort)} LIMIT ? OFFSET ?`;
    return { total, rows: { statement: this.statement(sql), params: [...where.params, page.size, offset] } };
  }

  /** Prepared statements by SQL text: list queries repeat, and preparing costs as much as a small query. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      if (this.statements.size >= 500) this.statements.clear();
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** One file's violations, lifecycle records, pending evaluations and processed record; call inside a transaction. */
  private commitOne({ file, drafts, lifecycles, pending }: FileCommit): InsertResult {
    if (this.fileLog.processed(file.source, file.key, file.fingerprint))
      return { inserted: 0, duplicates: drafts.length };
    const now = Date.now();
    const result = this.insertDrafts(drafts);
    if (lifecycles !== undefined && lifecycles.length > 0) this.enrichment.addLifecycles(lifecycles, now);
    if (pending !== undefined && pending.length > 0) this.enrichment.addPending(pending, now);
    this.fileLog.markCommitted(file, now);
    return result;
  }

  private insertDrafts(drafts: ViolationDraft[]): InsertResult {
    this.refresh();
    const { inserted, duplicates, createdTypes } = this.inserter.run(drafts, new Set(this.types.keys()));
    if (createdTypes.length > 0) this.loadTypes();
    return { inserted, duplicates };
  }

  /**
   * Runs a write in a transaction that takes the write lock first, waiting for another writer without blocking the
   * thread (sqlite-write.ts), and drops every cached count. A write the database refuses (locked for too long, disk
   * full, I/O error) rolls back and throws a StoreWriteError.
   */
  private async write<T>(fn: () => T): Promise<T> {
    try {
      return await this.writer.transaction(fn);
    } finally {
      this.dropCachedCounts();
    }
  }

  /** After a write: counts and the newest `created` may have changed; rows are checked by version. */
  private dropCachedCounts(): void {
    this.counts.clear();
    this.maxCreated = undefined;
  }

  /** Notices commits of other connections (`data_version` changes) and reloads what this one caches. */
  private refresh(): void {
    const version = this.dataVersionStatement.get() as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.dropCachedCounts();
    this.inserter.forgetWhitelist();
    this.rowJson.clear();
    this.loadTypes();
  }

  private loadTypes(): void {
    const rows = this.statement('SELECT * FROM violation_type ORDER BY id').all() as ViolationTypeRow[];
    this.types = new Map(rows.map((row) => [row.id, toViolationType(row)]));
    this.rowJson.clear();
  }

  private toDto(row: ViolationRow): Violation {
    let type = this.types.get(row.violation_type_entity_id);
    if (type === undefined) {
      this.loadTypes();
      type = this.types.get(row.violation_type_entity_id)!;
    }
    return toViolation(row, type);
  }

  /** Drops a `createdBefore` that excludes nothing (the API's default "now"), so the count cache key is stable. */
  private normalise(filter: ViolationFilter): ViolationFilter {
    if (filter.createdBefore === undefined) return filter;
    if (this.maxCreated === undefined) {
      this.maxCreated = this.statement('SELECT MAX(created) FROM violation').pluck().get() as number | null;
    }
    if (this.maxCreated === null || Math.ceil(filter.createdBefore) > this.maxCreated)
      return { ...filter, createdBefore: undefined };
    return filter;
  }

  private count(filter: ViolationFilter, where: string, params: unknown[]): number {
    const key = JSON.stringify(filter);
    const cached = this.counts.get(key);
    if (cached !== undefined) return cached;
    // SQLite's planner scans the table for the bare open filter; its partial index is ~5 times faster to count.
    const table = where === OPEN_ONLY ? 'violation INDEXED BY violation_open_idx' : 'violation';
    const total = this.statement(`SELECT COUNT(*) FROM ${table} WHERE ${where}`)
      .pluck()
      .get(...params) as number;
    if (this.counts.size >= COUNT_CACHE_LIMIT) this.counts.clear();
    this.counts.set(key, total);
    return total;
  }

  private countWhere(f: CountFilter, after: '>' | '>=', before: '<' | '<='): { sql: string; params: unknown[] } {
    const clauses = [stateCondition(f.resolved, f.whitelisted)];
    const params: unknown[] = [];
    if (f.from !== undefined) {
      clauses.push(`created ${after} ?`);
      params.push(after === '>' ? Math.floor(f.from) : Math.ceil(f.from));
    }
    if (f.to !== undefined) {
      clauses.push(`created ${before} ?`);
      params.push(before === '<' ? Math.ceil(f.to) : Math.floor(f.to));
    }
    return { sql: clauses.join(' AND '), params };
  }

  private assertTypeExists(typeId: string | null | undefined): void {
    if (typeId === undefined || typeId === null || typeId.trim() === '') return;
    this.refresh();
    if (!this.types.has(typeId)) throw new UnknownViolationTypeError(typeId);
  }
}
