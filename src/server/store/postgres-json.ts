/**
 * The PostgreSQL store's per-row JSON cache (row-json.ts): JSON is built with JSON.stringify of the DTO, the bytes
 * fastify's serialiser writes for it. A trigger raises a violation's version on every update, whoever writes.
 */
import type { Violation } from '../../shared/violation.js';
import type { ViolationRow } from './sqlite-rows.js';
import { VIOLATION_COLUMNS } from './postgres-query.js';
import type { Pool } from './postgres-pool.js';
import { RowJson, jsonArrayPieces } from './row-json.js';

export class PostgresRowJson {
  private readonly rows = new RowJson();

  constructor(
    private readonly pool: Pool,
    private readonly toDto: (row: ViolationRow) => Violation,
  ) {}

  clear(): void {
    this.rows.clear();
  }

  /**
   * The JSON array of the rows in pieces, in their order. A row updated since the page was read is served as it is
   * now; a row deleted since (by hand: the API deletes nothing) is left out. The caller counts the pieces' rows.
   */
  async page(keys: ReadonlyArray<{ id: number; version: number }>): Promise<{ json: Buffer[]; count: number }> {
    const found = keys.map(({ id, version }) => this.rows.at(id, version));
    const missing = keys.filter((_, i) => found[i] === undefined).map(({ id }) => id);
    const loaded = missing.length > 0 ? await this.load(missing) : undefined;
    const elements: Buffer[] = [];
    for (const [i, { id }] of keys.entries()) {
      const json = found[i] ?? loaded?.get(id);
      if (json !== undefined) elements.push(json);
    }
    return { json: jsonArrayPieces(elements), count: elements.length };
  }

  private async load(ids: number[]): Promise<Map<number, Buffer>> {
    const { rows } = await this.pool.query<ViolationRow>(
      `SELECT ${VIOLATION_COLUMNS} FROM violation WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    const loaded = new Map<number, Buffer>();
    for (const row of rows)
      loaded.set(row.id, this.rows.remember(row.id, row.version, JSON.stringify(this.toDto(row))));
    return loaded;
  }
}
