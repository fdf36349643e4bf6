/**
 * Violations' JSON kept per row for the PostgreSQL store's list fast path: a page query reads only ids and
 * versions, and JSON is built (JSON.stringify of the DTO, the bytes fastify's serialiser writes for it) only for
 * rows not seen at that version. Every update of a violation raises its version (a trigger makes sure of it,
 * whoever writes), so an entry at the listed version is the row as it is; the owner clears the cache when types
 * change. When full, the least recently used entries are dropped.
 */
import { LRUCache } from 'lru-cache';
import type { Violation } from '../../shared/violation.js';
import type { ViolationRow } from './sqlite-rows.js';
import { VIOLATION_COLUMNS } from './postgres-query.js';
import type { Pool } from './postgres-pool.js';

/** ~1 KB a row: about 20 MB at most. */
export const ROW_JSON_LIMIT = 20_000;

const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');

interface Entry {
  version: number;
  json: Buffer;
}

export class PostgresRowJson {
  private readonly entries: LRUCache<number, Entry>;

  constructor(
    private readonly pool: Pool,
    private readonly toDto: (row: ViolationRow) => Violation,
    limit = ROW_JSON_LIMIT,
  ) {
    this.entries = new LRUCache({ max: limit });
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The JSON array of the rows in pieces, in their order. A row updated since the page was read is served as it is
   * now; a row deleted since (by hand: the API deletes nothing) is left out. The caller counts the pieces' rows.
   */
  async page(keys: ReadonlyArray<{ id: number; version: number }>): Promise<{ json: Buffer[]; count: number }> {
    const found = keys.map(({ id, version }) => {
      const entry = this.entries.get(id);
      return entry?.version === version ? entry.json : undefined;
    });
    const missing = keys.filter((_, i) => found[i] === undefined).map(({ id }) => id);
    const loaded = missing.length > 0 ? await this.load(missing) : undefined;
    const parts: Buffer[] = [OPEN];
    let count = 0;
    for (const [i, { id }] of keys.entries()) {
      const json = found[i] ?? loaded?.get(id);
      if (json === undefined) continue;
      if (count > 0) parts.push(COMMA);
      parts.push(json);
      count++;
    }
    parts.push(CLOSE);
    return { json: parts, count };
  }

  private async load(ids: number[]): Promise<Map<number, Buffer>> {
    const { rows } = await this.pool.query<ViolationRow>(
      `SELECT ${VIOLATION_COLUMNS} FROM violation WHERE id = ANY($1::bigint[])`,
      [ids],
    );
    const loaded = new Map<number, Buffer>();
    for (const row of rows) {
      const json = Buffer.from(JSON.stringify(this.toDto(row)));
      loaded.set(row.id, json);
      this.entries.set(row.id, { version: row.version, json });
    }
    return loaded;
  }
}
