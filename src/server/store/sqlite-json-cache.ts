/**
 * Violations' JSON (sqlite-json.ts) kept per row, so that a list request builds JSON only for rows it has not
 * seen: the page query then reads just ids and versions through its index.
 *
 * An entry is used only while the row's `version` is unchanged (every update of a violation bumps it), and the
 * owner clears the whole cache when another connection commits (`PRAGMA data_version`) or the types change, so
 * a cached row is always what SQLite would build now. When full, the least recently used
 * entries are dropped.
 */
import type Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { VIOLATION_JSON } from './sqlite-json.js';

/** ~1 KB a row: about 20 MB at most. */
export const ROW_JSON_CACHE_LIMIT = 20_000;

const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');

interface Entry {
  version: number;
  /** From Buffer.from(text), which carves small Buffers out of shared slabs: a BLOB column would cost an
   * off-heap allocation per row, and their churn forced full GCs on pages of rows not seen before. */
  json: Buffer;
}

export class RowJsonCache {
  private readonly entries: LRUCache<number, Entry>;
  private readonly byIds: Database.Statement;

  constructor(db: Database.Database, limit = ROW_JSON_CACHE_LIMIT) {
    this.entries = new LRUCache({ max: limit });
    this.byIds = db
      .prepare(`SELECT id, version, ${VIOLATION_JSON} FROM violation WHERE id IN (SELECT value FROM json_each(?))`)
      .raw();
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The JSON array of the rows `[id, version]` in pieces, in their order, building the ones not cached at this version. */
  page(keys: ReadonlyArray<readonly [number, number]>): Buffer[] {
    const found = keys.map(([id, version]) => {
      const entry = this.entries.get(id);
      return entry?.version === version ? entry.json : undefined;
    });
    const missing = keys.filter((_, i) => found[i] === undefined).map(([id]) => id);
    const loaded = missing.length > 0 ? this.load(missing) : undefined;
    const parts: Buffer[] = [OPEN];
    for (const [i, [id]] of keys.entries()) {
      const json = found[i] ?? loaded?.get(id);
      // Both reads run in one snapshot, so a row listed by the first is there for the second.
      if (json === undefined) throw new Error(`violation ${id} vanished while its page was read`);
      if (i > 0) parts.push(COMMA);
      parts.push(json);
    }
    parts.push(CLOSE);
    return parts;
  }

  private load(ids: number[]): Map<number, Buffer> {
    const loaded = new Map<number, Buffer>();
    for (const [id, version, text] of this.byIds.all(JSON.stringify(ids)) as Array<[number, number, string]>) {
      const json = Buffer.from(text);
      loaded.set(id, json);
      this.entries.set(id, { version, json });
    }
    return loaded;
  }
}
