/**
 * Violations' JSON kept per row, for the list fast path of both stores: a page query reads only ids and versions
 * through its index, and JSON is built only for rows not seen at that version. Every update of a violation raises
 * its version, so an entry at the listed version is the row as it is; each store clears the cache when something
 * else can change rows under the same version (another SQLite connection's commit, new violation types). When
 * full, the least recently used entries are dropped.
 */
import { LRUCache } from 'lru-cache';

/** ~1 KB a row: about 20 MB at most. */
export const ROW_JSON_LIMIT = 20_000;

const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');

interface Entry {
  version: number;
  /** From Buffer.from(text), which carves small Buffers out of shared slabs: a BLOB column would cost an
   * off-heap allocation per row, and their churn forced full GCs on pages of rows not seen before. */
  json: Buffer;
}

export class RowJson {
  private readonly entries: LRUCache<number, Entry>;

  constructor(limit = ROW_JSON_LIMIT) {
    this.entries = new LRUCache({ max: limit });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Row `id`'s JSON if it is cached at `version`. */
  at(id: number, version: number): Buffer | undefined {
    const entry = this.entries.get(id);
    return entry?.version === version ? entry.json : undefined;
  }

  /** Caches row `id`'s JSON text at `version`; returns its bytes. */
  remember(id: number, version: number, text: string): Buffer {
    const json = Buffer.from(text);
    this.entries.set(id, { version, json });
    return json;
  }
}

/** The pieces of a JSON array of `elements` (each already JSON), to write without concatenating them. */
export function jsonArrayPieces(elements: readonly Buffer[]): Buffer[] {
  const pieces: Buffer[] = [OPEN];
  for (const [i, element] of elements.entries()) {
    if (i > 0) pieces.push(COMMA);
    pieces.push(element);
  }
  pieces.push(CLOSE);
  return pieces;
}
