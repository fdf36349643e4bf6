/**
 * Lists a source again and again for continuous ingestion without listing everything every time. The first pass,
 * and one every `fullListingMs`, lists everything; the passes in between hand the source the folder marks of
 * earlier passes (see FolderMark), so it lists only what may be new: an S3 region prefix from a little before its
 * last key (StartAfter), a local leaf folder only when its mtime changed. A full pass now and then finds what
 * incremental passes cannot see (a file rewritten in place, a key that arrived far out of order).
 *
 * Marks advance only when a pass completes, and a folder with a file that could not be fetched keeps its old
 * mark, so that file is listed (and tried) again.
 */
import type { ListingSource, SourceFilter, SourceObject } from './source.js';

export interface ListingPass extends ListingSource {
  /** Whether this pass lists everything. */
  readonly full: boolean;
  /** Call when the pass ended with every listed object committed or recorded; then its marks count. */
  complete(): void;
}

export class ListingPoller {
  private marks = new Map<string, string>();
  private lastFull = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly source: ListingSource,
    private readonly fullListingMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The next pass, to be handed to `ingestListing` like the source itself. */
  pass(): ListingPass {
    const { source } = this;
    const started = this.now();
    const full = started - this.lastFull >= this.fullListingMs;
    const seen = new Map<string, string>();
    const held = new Set<string>();
    const incremental = full ? {} : { marks: this.marks };
    return {
      kind: 'listing',
      url: source.url,
      objectSource: source.objectSource,
      full,
      async *list(filter: SourceFilter, signal?: AbortSignal) {
        for await (const object of source.list(filter, signal, incremental)) {
          if (object.mark !== undefined) seen.set(object.mark.folder, object.mark.value);
          yield object;
        }
      },
      notFetched: (object: SourceObject) => {
        if (object.mark !== undefined) held.add(object.mark.folder);
      },
      complete: () => {
        // A full pass starts afresh, so folders that are gone are forgotten.
        const next = full ? new Map<string, string>() : new Map(this.marks);
        for (const [folder, value] of seen) if (!held.has(folder)) next.set(folder, value);
        for (const folder of held) {
          const before = this.marks.get(folder);
          if (before === undefined) next.delete(folder);
          else next.set(folder, before);
        }
        this.marks = next;
        if (full) this.lastFull = started;
      },
    };
  }
}
