/**
 * A local file or folder as a listing source. Folders are walked recursively in name order; only files that
 * can hold CloudTrail (`.json`, `.gz`, `.jsonl`, `.ndjson`) are listed, so a LICENSE or README beside the logs
 * is not a failed file. A file named explicitly is always read, whatever its name.
 *
 * Polled (`incremental`), a leaf folder (a CloudTrail day folder) is marked with its mtime, which changes when a
 * file is added, removed or renamed in it; the next pass skips it unread while the mtime stays. A file rewritten in
 * place leaves the folder's mtime alone, so a folder is marked only once its files have not changed for a while.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FolderMark, IncrementalListing, ListingSource, SourceFilter, SourceObject } from './source.js';
import { keepKey } from './key-path.js';

const LOG_FILE = /\.(json|gz|jsonl|ndjson)$/i;
/** A leaf folder is marked only when all its files are older than this (a file may still be being written). */
export const SETTLE_MS = 120_000;

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function objectFor(path: string, key: string, size: number, mtimeMs: number, mark?: FolderMark): SourceObject {
  return {
    key,
    fingerprint: `size=${size},mtime=${Math.trunc(mtimeMs)}`,
    size,
    path,
    open: async () => createReadStream(path),
    // Log files are small and local: one synchronous read beats a stream's thread-pool round trips.
    read: async () => readFileSync(path),
    ...(mark !== undefined ? { mark } : {}),
  };
}

interface Walk {
  root: string;
  filter: SourceFilter;
  signal: AbortSignal | undefined;
  incremental: IncrementalListing | undefined;
}

/**
 * The listed files of `dir` and its sub-folders, in name order, a folder's files at a time: a yield passes through
 * every level of the recursion, so one per file would cost more than the file's stat on deep CloudTrail trees.
 */
async function* walk(dir: string, w: Walk): AsyncGenerator<SourceObject[]> {
  // Read before the entries: a file added meanwhile changes it again, so the next pass reads the folder.
  const mtime = w.incremental !== undefined ? String(statSync(dir).mtimeMs) : undefined;
  if (mtime !== undefined && w.incremental?.marks?.get(dir) === mtime) return;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const leaf = !entries.some((entry) => entry.isDirectory() && !entry.name.startsWith('.'));
  const files: Array<{ path: string; size: number; mtimeMs: number }> = [];
  let batch: SourceObject[] = [];
  for (const entry of entries) {
    if (w.signal?.aborted) return;
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (batch.length > 0) yield batch;
      batch = [];
      yield* walk(path, w);
    }
    // The absolute path carries the AWSLogs layout even when the root points inside it.
    else if (entry.isFile() && LOG_FILE.test(entry.name) && keepKey(toPosix(path), w.filter)) {
      // Synchronous on purpose: an async stat per file costs a thread-pool round trip, ~0.5 ms on a busy core.
      const info = statSync(path);
      const file = { path, size: info.size, mtimeMs: info.mtimeMs };
      if (leaf && mtime !== undefined) files.push(file);
      else batch.push(objectFor(path, toPosix(relative(w.root, path)), file.size, file.mtimeMs));
    }
  }
  if (batch.length > 0) yield batch;
  if (files.length === 0) return;
  // A leaf folder's files are held until all are stat'ed: only then is it known whether the folder may be marked.
  const settled = files.every((file) => file.mtimeMs < Date.now() - SETTLE_MS);
  const mark = settled && mtime !== undefined ? { folder: dir, value: mtime } : undefined;
  yield files.map((file) => objectFor(file.path, toPosix(relative(w.root, file.path)), file.size, file.mtimeMs, mark));
}

/** A listing source over a local path; throws at listing time when the path does not exist. */
export function createLocalSource(path: string): ListingSource {
  const root = resolve(path);
  const url = pathToFileURL(root).href;
  return {
    kind: 'listing',
    url,
    objectSource: url,
    async *list(filter: SourceFilter, signal?: AbortSignal, incremental?: IncrementalListing) {
      const info = await stat(root);
      if (!info.isDirectory()) {
        // A file named explicitly is read whatever its name or place: the user chose it.
        yield objectFor(root, basename(root), info.size, info.mtimeMs);
        return;
      }
      for await (const batch of walk(root, { root, filter, signal, incremental })) yield* batch;
    },
  };
}
