/**
 * The SQLite store's per-row JSON cache (row-json.ts) over JSON text built by SQLite itself (sqlite-json.ts). The
 * store clears it when another connection commits (`PRAGMA data_version`) or the types change, so a cached row is
 * always what SQLite would build now.
 */
import type Database from 'better-sqlite3';
import { VIOLATION_JSON } from './sqlite-json.js';
import { ROW_JSON_LIMIT, RowJson, jsonArrayPieces } from './row-json.js';

export class RowJsonCache {
  private readonly rows: RowJson;
  private readonly byIds: Database.Statement;

  constructor(db: Database.Database, limit = ROW_JSON_LIMIT) {
    this.rows = new RowJson(limit);
    this.byIds = db
      .prepare(`SELECT id, version, ${VIOLATION_JSON} FROM violation WHERE id IN (SELECT value FROM json_each(?))`)
      .raw();
  }

  clear(): void {
    this.rows.clear();
  }

  get size(): number {
    return this.rows.size;
  }

  /** The JSON array of the rows `[id, version]` in pieces, in their order, building the ones not cached at this version. */
  page(keys: ReadonlyArray<readonly [number, number]>): Buffer[] {
    const found = keys.map(([id, version]) => this.rows.at(id, version));
    const missing = keys.filter((_, i) => found[i] === undefined).map(([id]) => id);
    const loaded = missing.length > 0 ? this.load(missing) : undefined;
    const elements = keys.map(([id], i) => {
      const json = found[i] ?? loaded?.get(id);
      // Both reads run in one snapshot, so a row listed by the first is there for the second.
      if (json === undefined) throw new Error(`violation ${id} vanished while its page was read`);
      return json;
    });
    return jsonArrayPieces(elements);
  }

  private load(ids: number[]): Map<number, Buffer> {
    const loaded = new Map<number, Buffer>();
    for (const [id, version, text] of this.byIds.all(JSON.stringify(ids)) as Array<[number, number, string]>)
      loaded.set(id, this.rows.remember(id, version, text));
    return loaded;
  }
}
