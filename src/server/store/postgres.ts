/**
 * The PostgreSQL store (`--db postgres://…`): the same `ViolationStore` as SQLite, for several servers sharing one
 * database. Every server may write at any time, so nothing is cached on trust: list totals (postgres-counts.ts),
 * the types (postgres-types.ts) and the compiled whitelist (postgres-writer.ts) are cached per generation counter
 * (001-init.sql), which each page query reads in its own snapshot, and a violation's JSON per id and version.
 */
import type {
  BatchResolution,
  ClaimStatus,
  FileCommit,
  JsonPage,
  ObjectClaims,
  Resolution,
  ResolvableAccounts,
  ViolationStore,
} from './store.js';
import { PostgresResolver } from './postgres-resolve.js';
import type {
  ViolationDraft,
  ProcessedFile,
  IngestFailure,
  InsertResult,
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
import type { ViolationRow } from './sqlite-rows.js';
import { createPool, pgText, ping, rowId, transaction, type Pool } from './postgres-pool.js';
import { migratePostgres } from './postgres-migrate.js';
import {
  VIOLATION_COLUMNS,
  countByAccountAndTypeStatement,
  countByAppVersionAndTypeStatement,
  pageStatement,
} from './postgres-query.js';
import { PostgresWriter, type GroupedDraft } from './postgres-writer.js';
import { PostgresRules } from './postgres-rules.js';
import * as fileLog from './postgres-file-log.js';
import { PostgresRowJson } from './postgres-json.js';
import { PostgresCounts, type Snapshot } from './postgres-counts.js';
import { PostgresTypes } from './postgres-types.js';
import * as enrichment from './postgres-enrichment.js';
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
import { DEFAULT_LEASE_SECONDS, PostgresLeases } from './postgres-leases.js';
import { Liveness } from './postgres-liveness.js';

/** Pages starting further than this hold nothing (ids stay below 2^53) and would overflow PostgreSQL's bigint. */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). Replicas × pool size must stay below the server's max_connections. */
  poolSize?: number;
  /** How long a claim on a listed object lasts unless renewed (default 60 s). */
  leaseSeconds?: number;
}

/** Opens a pool on `url` and brings its schema up to date (see postgres-migrate.ts). */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const pool = createPool(url, options.poolSize);
  try {
    await migratePostgres(pool);
    const store = new PostgresStore(pool, (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000);
    await store.listViolationTypes();
    return store;
  } catch (error) {
    await pool.end();
    throw error;
  }
}

export class PostgresStore implements ViolationStore {
  private readonly writer = new PostgresWriter();
  private readonly rules: PostgresRules;
  private readonly rowJson: PostgresRowJson;
  private readonly types: PostgresTypes;
  private readonly counts: PostgresCounts;
  private readonly resolver: PostgresResolver;
  private readonly leases: PostgresLeases;
  /** Shows this process alive to the others, so that its leases and claims die with it (postgres-liveness.ts). */
  private readonly liveness: Liveness;

  /** `pool` is public for the plan test, which explains the statements the store sends through it. */
  constructor(
    readonly pool: Pool,
    leaseMs = DEFAULT_LEASE_SECONDS * 1000,
  ) {
    this.liveness = new Liveness(pool);
    this.leases = new PostgresLeases(pool, leaseMs, this.liveness);
    this.rules = new PostgresRules(pool);
    this.resolver = new PostgresResolver(pool);
    this.types = new PostgresTypes(pool, () => this.rowJson.clear());
    this.rowJson = new PostgresRowJson(pool, (row) => this.types.toDto(row));
    this.counts = new PostgresCounts(pool);
  }

  async commitFile(file: ProcessedFile, drafts: ViolationDraft[]): Promise<InsertResult> {
    return (await this.commitFiles([{ file, drafts }]))[0]!;
  }

  async commitFiles(files: ReadonlyArray<FileCommit>): Promise<InsertResult[]> {
    if (files.length === 0) return [];
    const { results, createdTypes, released } = await transaction(this.pool, async (client) => {
      const claimed = await fileLog.claimFiles(
        client,
        files.map((f) => f.file),
        Date.now(),
      );
      const drafts: GroupedDraft[] = [];
      files.forEach((f, group) => {
        if (claimed.has(group)) for (const draft of f.drafts) drafts.push({ draft, group });
      });
      const kept = files.filter((_, i) => claimed.has(i));
      await fileLog.clearFailures(
        client,
        kept.map((f) => f.file),
      );
      await enrichment.addLifecycles(
        client,
        kept.flatMap((f) => f.lifecycles ?? []),
      );
      await enrichment.addPending(
        client,
        kept.flatMap((f) => f.pending ?? []),
      );
      const { inserted, createdTypes } = await this.writer.run(client, drafts, files.length, this.types.ids());
      const results = files.map(({ drafts }, i) => ({
        inserted: inserted[i]!,
        duplicates: drafts.length - inserted[i]!,
      }));
      const released = await this.leases.releaseInCommit(
        client,
        files.map((f) => f.file),
      );
      return { results, createdTypes, released };
    });
    released();
    if (createdTypes.length > 0) await this.types.load();
    return results;
  }

  async isFileProcessed(source: string, key: string, fingerprint: string): Promise<boolean> {
    return fileLog.isProcessed(this.pool, source, key, fingerprint);
  }

  async processedKeys(
    source: string,
    files: ReadonlyArray<{ key: string; fingerprint: string }>,
  ): Promise<Set<string>> {
    return fileLog.processedKeys(this.pool, source, files);
  }

  async failedKeys(source: string, files: ReadonlyArray<{ key: string; fingerprint: string }>): Promise<Set<string>> {
    return fileLog.failedKeys(this.pool, source, files);
  }

  async recordIngestFailure(failure: Omit<IngestFailure, 'at'> & { transient?: boolean }): Promise<void> {
    await fileLog.recordIngestFailure(this.pool, failure);
    await this.leases.release(failure.source, [failure.key]);
  }

  async claimObjects(
    source: string,
    objects: ReadonlyArray<{ key: string; fingerprint: string }>,
  ): Promise<ObjectClaims> {
    return this.leases.claim(source, objects);
  }

  async releaseObjects(source: string, keys: readonly string[]): Promise<void> {
    await this.leases.release(source, keys);
  }

  claimStatus(): ClaimStatus {
    return this.leases.status();
  }

  async ping(timeoutMs: number): Promise<void> {
    await ping(this.pool, timeoutMs);
  }

  async listIngestFailures(): Promise<IngestFailure[]> {
    return fileLog.listIngestFailures(this.pool);
  }

  async claimPendingEvaluations(request: PendingClaimRequest): Promise<PendingEvaluation[]> {
    return enrichment.claimDue(this.pool, request, await this.liveness.key());
  }

  async settlePendingEvaluations(claimant: string, settlements: readonly PendingSettlement[]): Promise<SettleResult[]> {
    if (settlements.length === 0) return [];
    const evaluated = settlements.flatMap((s) => (s.outcome === 'evaluated' ? [s] : []));
    const failed = settlements.flatMap((s) => (s.outcome === 'failed' ? [s] : []));
    const { released, rescheduled, inserted, createdTypes } = await transaction(this.pool, async (client) => {
      const rescheduled = await enrichment.rescheduleClaimed(client, claimant, failed);
      const released = await enrichment.releaseClaimed(
        client,
        claimant,
        evaluated.map((s) => s.id),
      );
      const kept = evaluated.filter((s) => released.has(s.id));
      await enrichment.addLifecycles(
        client,
        kept.flatMap((s) => s.lifecycles),
      );
      const drafts: GroupedDraft[] = kept.flatMap((s, group) => s.drafts.map((draft) => ({ draft, group })));
      const written = await this.writer.run(client, drafts, kept.length, this.types.ids());
      const inserted = new Map(kept.map((s, group) => [s.id, written.inserted[group]!]));
      return { released, rescheduled, inserted, createdTypes: written.createdTypes };
    });
    if (createdTypes.length > 0) await this.types.load();
    return settlements.map((s): SettleResult => {
      if (s.outcome === 'failed') return { id: s.id, status: rescheduled.has(s.id) ? 'rescheduled' : 'lost' };
      if (!released.has(s.id)) return { id: s.id, status: 'lost' };
      const count = inserted.get(s.id) ?? 0;
      return { id: s.id, status: 'evaluated', inserted: count, duplicates: s.drafts.length - count };
    });
  }

  async pendingEvaluationStatus(): Promise<PendingStatus> {
    return enrichment.pendingStatus(this.pool);
  }

  async listLifecycles(query: LifecycleQuery): Promise<PageResult<Lifecycle>> {
    const { rows, total } = await enrichment.listLifecycles(this.pool, query);
    return { content: rows.map(toLifecycle), total };
  }

  async insertViolations(drafts: ViolationDraft[]): Promise<InsertResult> {
    const grouped = drafts.map((draft) => ({ draft, group: 0 }));
    const { inserted, createdTypes } = await transaction(this.pool, (client) =>
      this.writer.run(client, grouped, 1, this.types.ids()),
    );
    if (createdTypes.length > 0) await this.types.load();
    return { inserted: inserted[0]!, duplicates: drafts.length - inserted[0]! };
  }

  async listViolations(filter: ViolationFilter, page: PageRequest): Promise<PageResult<Violation>> {
    const rows = await this.page<ViolationRow & Snapshot>(filter, page, VIOLATION_COLUMNS);
    await this.types.sync(rows[0]?.type_generation);
    const total = await this.counts.total(filter, rows[0]);
    return { content: await this.types.toDtos(rows), total };
  }

  /** The page's JSON: ids and versions through the index, each row's JSON from the cache or built once. */
  async listViolationsJson(filter: ViolationFilter, page: PageRequest): Promise<JsonPage> {
    const keys = await this.page<{ id: number; version: number } & Snapshot>(filter, page, 'id, version');
    await this.types.sync(keys[0]?.type_generation);
    const total = await this.counts.total(filter, keys[0]);
    const { json, count } = await this.rowJson.page(keys);
    return { json, count, total };
  }

  async getViolation(id: number): Promise<Violation | undefined> {
    if (rowId(id) === undefined) return undefined;
    const { rows } = await this.pool.query<ViolationRow>(`SELECT ${VIOLATION_COLUMNS} FROM violation WHERE id = $1`, [
      id,
    ]);
    return (await this.types.toDtos(rows))[0];
  }

  async resolveViolation(id: number, comment: string, by: string, accounts: ResolvableAccounts): Promise<Resolution> {
    const result = await this.resolver.resolve(id, comment, by, accounts);
    if ('status' in result) return result;
    const [violation] = await this.types.toDtos([result]);
    return { status: 'resolved', violation: violation! };
  }

  async resolveViolations(
    ids: readonly number[],
    comment: string,
    by: string,
    accounts: ResolvableAccounts,
  ): Promise<BatchResolution[]> {
    return this.resolver.resolveAll(ids, comment, by, accounts);
  }

  async listViolationTypes(): Promise<ViolationType[]> {
    return this.types.load();
  }

  async countByAccountAndType(accounts: string[] | undefined, f: CountFilter): Promise<CountByAccountAndType[]> {
    const { text, values } = countByAccountAndTypeStatement(accounts, f);
    return (await this.pool.query<CountByAccountAndType>(text, values)).rows;
  }

  async countByAppVersionAndType(account: string, f: CountFilter): Promise<CountByAppVersionAndType[]> {
    const { text, values } = countByAppVersionAndTypeStatement(account, f);
    return (await this.pool.query<CountByAppVersionAndType>(text, values)).rows;
  }

  async listWhitelistingRules(): Promise<WhitelistingRule[]> {
    return this.rules.list();
  }

  async getWhitelistingRule(id: number): Promise<WhitelistingRule | undefined> {
    return this.rules.get(id);
  }

  async createWhitelistingRule(draft: WhitelistingRuleDraft, by: string): Promise<WhitelistingRule> {
    return this.rules.create(draft, by);
  }

  async replaceWhitelistingRule(
    id: number,
    draft: WhitelistingRuleDraft,
    by: string,
  ): Promise<WhitelistingRule | undefined> {
    return this.rules.replace(id, draft, by);
  }

  async expireWhitelistingRule(id: number, expiry: number, by: string): Promise<ExpireWhitelistingRuleResult> {
    return this.rules.expire(id, expiry, by);
  }

  async close(): Promise<void> {
    await this.leases.close().catch(() => {
      // Unreachable: the leases expire by themselves.
    });
    // Also after the pool ended: the liveness connection is its own.
    await this.liveness.close();
    if (!this.pool.ended) await this.pool.end();
  }

  private async page<T extends Snapshot>(filter: ViolationFilter, page: PageRequest, columns: string): Promise<T[]> {
    if (page.page * page.size > MAX_OFFSET) return [];
    const { text, values } = pageStatement(filter, page, columns);
    return (await this.pool.query<T>(text, values)).rows;
  }
}
