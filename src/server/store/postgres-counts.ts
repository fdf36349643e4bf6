/**
 * List totals of the PostgreSQL store, cached per generation. `total_elements` needs a count per list request, and
 * counting 800,000 open violations takes ~100 ms even from an index; every server may write, so a count is kept
 * only under the generation counters (001-init.sql) read in its own snapshot, and used only while the page
 * query's snapshot shows the same counters.
 */
import type { ViolationFilter } from '../model.js';
import type { Pool } from './postgres-pool.js';
import { countStatement } from './postgres-query.js';

/** The counters and the newest `created` that the page and count statements read beside their rows. */
export interface Snapshot {
  violation_generation: number;
  type_generation: number;
  max_created: number | null;
}

const COUNT_CACHE_LIMIT = 1000;

export class PostgresCounts {
  private readonly counts = new Map<string, number>();
  /** The generations the cached counts belong to. */
  private generation = { violation: -1, type: -1 };

  constructor(private readonly pool: Pool) {}

  /** The number of rows matching `filter`; `snapshot` (read with the page, if any) says whether the cache holds. */
  async total(filter: ViolationFilter, snapshot: Snapshot | undefined): Promise<number> {
    if (snapshot !== undefined && this.isCurrent(snapshot)) {
      const cached = this.counts.get(countKey(filter, snapshot.max_created));
      if (cached !== undefined) return cached;
    }
    // The API's default `to` (now) excludes nothing when no row is newer; counting without it lets an index alone
    // answer. The count's own snapshot confirms it, else it is counted again with the bound.
    const unbounded = snapshot !== undefined && excludesNothing(filter.createdBefore, snapshot.max_created);
    let counted = await this.count(unbounded ? { ...filter, createdBefore: undefined } : filter);
    if (unbounded && !excludesNothing(filter.createdBefore, counted.max_created)) counted = await this.count(filter);
    const { violation, type } = this.generation;
    if (counted.violation_generation < violation || counted.type_generation < type) return counted.total;
    if (!this.isCurrent(counted) || this.counts.size >= COUNT_CACHE_LIMIT) {
      this.counts.clear();
      this.generation = { violation: counted.violation_generation, type: counted.type_generation };
    }
    this.counts.set(countKey(filter, counted.max_created), counted.total);
    return counted.total;
  }

  private async count(filter: ViolationFilter): Promise<{ total: number } & Snapshot> {
    const { text, values } = countStatement(filter);
    return (await this.pool.query<{ total: number } & Snapshot>(text, values)).rows[0]!;
  }

  private isCurrent(snapshot: Snapshot): boolean {
    return (
      snapshot.violation_generation === this.generation.violation && snapshot.type_generation === this.generation.type
    );
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
