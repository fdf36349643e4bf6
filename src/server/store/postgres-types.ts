/**
 * The violation types of the PostgreSQL store, cached by their generation counter: reloaded when a page query's
 * snapshot shows that types changed (another server created one), or when a row names a type not loaded yet.
 */
import type { Violation, ViolationType } from '../../shared/violation.js';
import { toViolation, toViolationType, type ViolationRow, type ViolationTypeRow } from './sqlite-rows.js';
import type { Pool } from './postgres-pool.js';
import { generation } from './postgres-query.js';

const TYPE_COLUMNS =
  'id, help_text, violation_severity, is_audit_relevant::int AS is_audit_relevant, title, priority, version, ' +
  'created, created_by, last_modified, last_modified_by';

export class PostgresTypes {
  private types = new Map<string, ViolationType>();
  private generation = -1;

  /** `onChange` runs after every reload: what embeds types (cached row JSON) is stale. */
  constructor(
    private readonly pool: Pool,
    private readonly onChange: () => void,
  ) {}

  /** Reads the types and their generation in one snapshot. */
  async load(): Promise<ViolationType[]> {
    const { rows } = await this.pool.query<ViolationTypeRow & { generation: number }>(
      `SELECT ${TYPE_COLUMNS}, ${generation('violation_type')} AS generation FROM violation_type ORDER BY id`,
    );
    this.types = new Map(rows.map((row) => [row.id, toViolationType(row)]));
    this.generation = rows[0]?.generation ?? -1;
    this.onChange();
    return [...this.types.values()];
  }

  /** Loads the types again when `typeGeneration` (read with a page) is not the one they were loaded at. */
  async sync(typeGeneration: number | undefined): Promise<void> {
    if (typeGeneration !== undefined && typeGeneration !== this.generation) await this.load();
  }

  ids(): ReadonlySet<string> {
    return new Set(this.types.keys());
  }

  async toDtos(rows: readonly ViolationRow[]): Promise<Violation[]> {
    if (rows.some((row) => !this.types.has(row.violation_type_entity_id))) await this.load();
    return rows.map((row) => this.toDto(row));
  }

  /** The DTO of a row whose type is loaded (`toDtos`, or a page synced to its snapshot's generation). */
  toDto(row: ViolationRow): Violation {
    const type = this.types.get(row.violation_type_entity_id);
    if (type === undefined)
      throw new Error(`violation ${row.id} has the unknown type '${row.violation_type_entity_id}'`);
    return toViolation(row, type);
  }
}
