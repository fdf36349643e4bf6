/**
 * A local file or folder as a listing source. Folders are walked recursively in name order; only files that
 * can hold CloudTrail (`.json`, `.gz`, `.jsonl`, `.ndjson`) are listed, so a LICENSE or README beside the logs
 * is not a failed file. A file named explicitly is always read, whatever its name.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ListingSource, SourceFilter, SourceObject } from './source.js';
import { keepKey } from './key-path.js';

const LOG_FILE = /\.(json|gz|jsonl|ndjson)$/i;

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function objectFor(path: string, key: string, size: number, mtimeMs: number): SourceObject {
  return {
    key,
    fingerprint: `size=${size},mtime=${Math.trunc(mtimeMs)}`,
    size,
    path,
    open: async () => createReadStream(path),
    // Log files are small and local: one synchronous read beats a stream's thread-pool round trips.
    read: async () => readFileSync(path),
  };
}

async function* walk(dir: string, signal?: AbortSignal): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (signal?.aborted) return;
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path, signal);
    else if (entry.isFile() && LOG_FILE.test(entry.name)) yield path;
  }
}

/** A listing source over a local path; throws at listing time when the path does not exist. */
export function createLocalSource(path: string): ListingSource {
  const root = resolve(path);
  return {
    kind: 'listing',
    url: pathToFileURL(root).href,
    async *list(filter: SourceFilter, signal?: AbortSignal) {
      const info = await stat(root);
      if (!info.isDirectory()) {
        // A file named explicitly is read whatever its name or place: the user chose it.
        yield objectFor(root, basename(root), info.size, info.mtimeMs);
        return;
      }
      for await (const file of walk(root, signal)) {
        // The absolute path carries the AWSLogs layout even when the root points inside it.
        if (!keepKey(toPosix(file), filter)) continue;
        // Synchronous on purpose: an async stat per file costs a thread-pool round trip, ~0.5 ms on a busy core.
        const fileInfo = statSync(file);
        yield objectFor(file, toPosix(relative(root, file)), fileInfo.size, fileInfo.mtimeMs);
      }
    },
  };
}
