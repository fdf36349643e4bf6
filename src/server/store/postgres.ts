/**
 * The PostgreSQL store (`--db postgres://…`): the same `ViolationStore` as SQLite, for several servers sharing one
 * database. Every server may write at any time, so nothing is cached on trust: list totals, the types and the
 * compiled whitelist are cached per generation counter (001-init.sql), which each page query reads in its own
 * snapshot, and a violation's JSON per id and version.
 */
import type { FileCommit, JsonPage, ViolationStore } from './store.js';
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
import { toViolation, toViolationType, type ViolationRow, type ViolationTypeRow } from './sqlite-rows.js';
import { createPool, pgText, rowId, transaction, type Pool } from './postgres-pool.js';
import { migratePostgres } from './postgres-migrate.js';
import {
  VIOLATION_COLUMNS,
  generation,
  countByAccountAndTypeStatement,
  countByAppVersionAndTypeStatement,
  countStatement,
  pageStatement,
} from './postgres-query.js';
import { PostgresWriter, type GroupedDraft } from './postgres-writer.js';
import { PostgresRules } from './postgres-rules.js';
import * as fileLog from './postgres-file-log.js';
import { PostgresRowJson } from './postgres-json.js';

/** The counters and the newest `created` that the page and count statements read beside their rows. */
export interface Snapshot {
  violation_generation: number;
  type_generation: number;
  max_created: number | null;
}

const COUNT_CACHE_LIMIT = 1000;
/** Pages starting further than this hold nothing (ids stay below 2^53) and would overflow PostgreSQL's bigint. */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;
const TYPE_COLUMNS =
  'id, help_text, violation_severity, is_audit_relevant::int AS is_audit_relevant, title, priority, version, ' +
  'created, created_by, last_modified, last_modified_by';

/** Opens a pool on `url` and brings its schema up to date (see postgres-migrate.ts). */
export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const pool = createPool(url);
  try {
    await migratePostgres(pool);
    const store = new PostgresStore(pool);
    await store.loadTypes();
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
  private types = new Map<string, ViolationType>();
  private typeGeneration = -1;
  private readonly counts = new Map<string, number>();
  /** The generations the cached counts belong to. */
  private countGeneration = { violation: -1, type: -1 };

  constructor(readonly pool: Pool) {
    this.rules = new PostgresRules(pool);
    this.rowJson = new PostgresRowJson(pool, (row) => this.toDto(row));
  }

  async commitFile(file: ProcessedFile, drafts: ViolationDraft[]): Promise<InsertResult> {
    return (await this.commitFiles([{ file, drafts }]))[0]!;
  }

  async commitFiles(files: ReadonlyArray<FileCommit>): Promise<InsertResult[]> {
    if (files.length === 0) return [];
    const { results, createdTypes } = await transaction(this.pool, async (client) => {
      const claimed = await fileLog.claimFiles(
        client,
        files.map((f) => f.file),
        Date.now(),
      );
      const drafts: GroupedDraft[] = [];
      files.forEach((f, group) => {
        if (claimed.has(group)) for (const draft of f.drafts) drafts.push({ draft, group });
      });
      await fileLog.clearFailures(
        client,
        files.filter((_, i) => claimed.has(i)).map((f) => f.file),
      );
      const { inserted, createdTypes } = await this.writer.run(client, drafts, files.length, this.knownTypes());
      const results = files.map(({ drafts }, i) => ({
        inserted: inserted[i]!,
        duplicates: drafts.length - inserted[i]!,
      }));
      return { results, createdTypes };
    });
    if (createdTypes.length > 0) await this.loadTypes();
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

  async recordIngestFailure(failure: Omit<IngestFailure, 'at'>): Promise<void> {
    await fileLog.recordIngestFailure(this.pool, failure);
  }

  async listIngestFailures(): Promise<IngestFailure[]> {
    return fileLog.listIngestFailures(this.pool);
  }

  async insertViolations(drafts: ViolationDraft[]): Promise<InsertResult> {
    const grouped = drafts.map((draft) => ({ draft, group: 0 }));
    const { inserted, createdTypes } = await transaction(this.pool, (client) =>
      this.writer.run(client, grouped, 1, this.knownTypes()),
    );
    if (createdTypes.length > 0) await this.loadTypes();
    return { inserted: inserted[0]!, duplicates: drafts.length - inserted[0]! };
  }

  async listViolations(filter: ViolationFilter, page: PageRequest): Promise<PageResult<Violation>> {
    const rows = await this.page<ViolationRow & Snapshot>(filter, page, VIOLATION_COLUMNS);
    await this.syncTypes(rows[0]);
    const total = await this.total(filter, rows[0]);
    return { content: await this.toDtos(rows), total };
  }

  /** The page's JSON: ids and versions through the index, each row's JSON from the cache or built once. */
  async listViolationsJson(filter: ViolationFilter, page: PageRequest): Promise<JsonPage> {
    const keys = await this.page<{ id: number; version: number } & Snapshot>(filter, page, 'id, version');
    await this.syncTypes(keys[0]);
    const total = await this.total(filter, keys[0]);
    const { json, count } = await this.rowJson.page(keys);
    return { json, count, total };
  }

  async getViolation(id: number): Promise<Violation | undefined> {
    if (rowId(id) === undefined) return undefined;
    const { rows } = await this.pool.query<ViolationRow>(`SELECT ${VIOLATION_COLUMNS} FROM violation WHERE id = $1`, [
      id,
    ]);
    return (await this.toDtos(rows))[0];
  }

  async resolveViolation(id: number, comment: string, by: string): Promise<Violation | undefined> {
    if (rowId(id) === undefined) return undefined;
    // One statement: the row lock makes concurrent resolutions of one violation apply one after the other, each
    // raising the version, and RETURNING hands back the row as updated.
    const { rows } = await this.pool.query<ViolationRow>(
      `UPDATE violation SET comment = $1, last_modified = $2, last_modified_by = $3, version = version + 1
        WHERE id = $4 RETURNING ${VIOLATION_COLUMNS}`,
      [pgText(comment), Date.now(), pgText(by), id],
    );
    return (await this.toDtos(rows))[0];
  }

  async listViolationTypes(): Promise<ViolationType[]> {
    await this.loadTypes();
    return [...this.types.values()];
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
    if (!this.pool.ended) await this.pool.end();
  }

  /** Reads the types and their generation in one snapshot. */
  async loadTypes(): Promise<void> {
    const { rows } = await this.pool.query<ViolationTypeRow & { generation: number }>(
      `SELECT ${TYPE_COLUMNS}, ${generation('violation_type')} AS generation
        FROM violation_type ORDER BY id`,
    );
    this.types = new Map(rows.map((row) => [row.id, toViolationType(row)]));
    this.typeGeneration = rows[0]?.generation ?? -1;
    this.rowJson.clear();
  }

  private knownTypes(): ReadonlySet<string> {
    return new Set(this.types.keys());
  }

  private async page<T extends Snapshot>(filter: ViolationFilter, page: PageRequest, columns: string): Promise<T[]> {
    if (page.page * page.size > MAX_OFFSET) return [];
    const { text, values } = pageStatement(filter, page, columns);
    return (await this.pool.query<T>(text, values)).rows;
  }

  /** Types changed since they were loaded (another server created one): load them again. */
  private async syncTypes(snapshot: Snapshot | undefined): Promise<void> {
    if (snapshot !== undefined && snapshot.type_generation !== this.typeGeneration) await this.loadTypes();
  }

  /**
   * The number of rows matching `filter`. Cached per generation: `snapshot` (read with the page) says whether the
   * cached value still holds; a count read now is kept only under the generation it was read at.
   */
  private async total(filter: ViolationFilter, snapshot: Snapshot | undefined): Promise<number> {
    if (snapshot !== undefined && this.isCountGeneration(snapshot)) {
      const cached = this.counts.get(countKey(filter, snapshot.max_created));
      if (cached !== undefined) return cached;
    }
    // The API's default `to` (now) excludes nothing when no row is newer; counting without it lets an index alone
    // answer. The count's own snapshot confirms it, else it is counted again with the bound.
    const unbounded = snapshot !== undefined && excludesNothing(filter.createdBefore, snapshot.max_created);
    let counted = await this.count(unbounded ? { ...filter, createdBefore: undefined } : filter);
    if (unbounded && !excludesNothing(filter.createdBefore, counted.max_created)) counted = await this.count(filter);
    const { violation, type } = this.countGeneration;
    if (counted.violation_generation < violation || counted.type_generation < type) return counted.total;
    if (!this.isCountGeneration(counted) || this.counts.size >= COUNT_CACHE_LIMIT) {
      this.counts.clear();
      this.countGeneration = { violation: counted.violation_generation, type: counted.type_generation };
    }
    this.counts.set(countKey(filter, counted.max_created), counted.total);
    return counted.total;
  }

  private async count(filter: ViolationFilter): Promise<{ total: number } & Snapshot> {
    const { text, values } = countStatement(filter);
    return (await this.pool.query<{ total: number } & Snapshot>(text, values)).rows[0]!;
  }

  private isCountGeneration(snapshot: Snapshot): boolean {
    return (
      snapshot.violation_generation === this.countGeneration.violation &&
      snapshot.type_generation === this.countGeneration.type
    );
  }

  private async toDtos(rows: readonly ViolationRow[]): Promise<Violation[]> {
    if (rows.some((row) => !this.types.has(row.violation_type_entity_id))) await this.loadTypes();
    return rows.map((row) => this.toDto(row));
  }

  private toDto(row: ViolationRow): Violation {
    const type = this.types.get(row.violation_type_entity_id);
    if (type === undefined)
      throw new Error(`violation ${row.id} has the unknown type '${row.violation_type_entity_id}'`);
    return toViolation(row, type);
  }
}

/** True when `created < before` holds for every row: `before` is later than the newest `created`. */
function excludesNothing(before: number | undefined, maxCreated: number | null): before is number {
  return before !== undefined && (maxCreated === null || Math.ceil(before) > maxCreated);
}

/**
 * The cache key of a count: a `createdBefore` later than every row excludes nothing, so it is left out (the API
 * sends "now" by default, which would otherwise make every request's key new).
 */
function countKey(filter: ViolationFilter, maxCreated: number | null): string {
  return JSON.stringify(
    excludesNothing(filter.createdBefore, maxCreated) ? { ...filter, createdBefore: undefined } : filter,
  );
}
