/**
 * `fullstop export`, `import` and `migrate`: the CLI's entry into the stores for moving data between them (SQLite
 * to PostgreSQL and back). Loaded through one dynamic import, so the CLI's other commands never load store code.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import {
  FORMAT,
  FORMAT_VERSION,
  KINDS,
  TABLES,
  recordProblem,
  zeroCounts,
  type Counts,
  type Header,
  type Kind,
  type Trailer,
} from './format.js';
import type { Batch, ImportCounts, TransferAdapter, TransferRow } from './adapter.js';
import { POSTGRES_URL, TransferError, describing, redact, unsupported } from './errors.js';

export { KINDS, type Counts, type Kind } from './format.js';
export type { ImportCounts } from './adapter.js';
export { TransferError } from './errors.js';
export { migrateStore, resolveDbUrl } from './migrate.js';

const BATCH = 1000;

async function openAdapter(url: string, mustExist: boolean): Promise<TransferAdapter> {
  if (url.startsWith('sqlite:') && url.length > 'sqlite:'.length) {
    const { SqliteTransfer } = await import('./sqlite.js');
    return describing(`cannot open ${url}`, async () => new SqliteTransfer(url.slice('sqlite:'.length), mustExist));
  }
  if (POSTGRES_URL.test(url)) {
    const { openPostgresTransfer } = await import('./postgres.js');
    return describing(`cannot open ${redact(url)}`, () => openPostgresTransfer(url));
  }
  throw unsupported(url);
}

/** A record's JSON: `kind` first, then its columns in the table's order, so exports of equal stores are equal. */
function line(kind: Kind, row: TransferRow): string {
  const record: TransferRow = { kind };
  for (const name of Object.keys(TABLES[kind].columns)) record[name] = row[name] ?? null;
  return JSON.stringify(record);
}

/** Writes the store at `url` as NDJSON lines, a batch at a time; returns the number of records of each kind. */
export async function exportStore(url: string, write: (lines: string[]) => void, now = new Date()): Promise<Counts> {
  const adapter = await openAdapter(url, true);
  try {
    return await describing(`export from ${redact(url)} failed`, () => writeExport(adapter, write, now));
  } finally {
    await adapter.close();
  }
}

async function writeExport(adapter: TransferAdapter, write: (lines: string[]) => void, now: Date): Promise<Counts> {
  const counts = zeroCounts();
  const header: Header = {
    kind: FORMAT,
    format_version: FORMAT_VERSION,
    exported_at: now.toISOString(),
    store: adapter.store,
  };
  write([JSON.stringify(header)]);
  for await (const { kind, rows } of adapter.exportRows()) {
    counts[kind] += rows.length;
    write(rows.map((row) => line(kind, row)));
  }
  const trailer: Trailer = { kind: 'end', counts };
  write([JSON.stringify(trailer)]);
  return counts;
}

/** The records of an export, validated line by line and grouped into batches of one kind. */
async function* batches(input: Readable, read: Counts): AsyncIterable<Batch> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  let header = false;
  let trailer: Trailer | undefined;
  let batch: Batch | undefined;
  for await (const text of lines) {
    number++;
    if (text.trim() === '') continue;
    const fail = (message: string): never => {
      throw new TransferError(`line ${number}: ${message}`);
    };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      fail(`not JSON (${(error as Error).message})`);
    }
    const kind = (value as { kind?: unknown } | null)?.kind;
    if (!header) {
      const h = value as Partial<Header>;
      if (kind !== FORMAT) fail(`not a fullstop export: the first line must be {"kind":"${FORMAT}",…}`);
      if (h.format_version !== FORMAT_VERSION)
        fail(`export format ${String(h.format_version)} is not ${FORMAT_VERSION}`);
      header = true;
      continue;
    }
    if (trailer !== undefined) fail('records after the last line of the export ("kind":"end")');
    if (kind === 'end') {
      trailer = value as Trailer;
      continue;
    }
    if (typeof kind !== 'string' || !(KINDS as string[]).includes(kind))
      fail(`unknown kind ${JSON.stringify(kind)}: expected one of ${KINDS.join(', ')}`);
    const problem = recordProblem(kind as Kind, value);
    if (problem !== undefined) fail(problem);
    read[kind as Kind]++;
    if (batch !== undefined && (batch.kind !== kind || batch.rows.length >= BATCH)) {
      yield batch;
      batch = undefined;
    }
    batch ??= { kind: kind as Kind, rows: [] };
    batch.rows.push(value as TransferRow);
  }
  if (!header) throw new TransferError('the input is empty: expected a fullstop export');
  if (trailer === undefined) throw new TransferError('the export has no last line ("kind":"end"): was it cut short?');
  const missing = KINDS.filter((kind) => (trailer.counts?.[kind] ?? 0) !== read[kind]);
  if (missing.length > 0) {
    const kind = missing[0]!;
    throw new TransferError(
      `the export announces ${trailer.counts?.[kind] ?? 0} ${kind} records but holds ${read[kind]}`,
    );
  }
  if (batch !== undefined) yield batch;
}

/** Imports an export into the store at `url`, all of it or (on any error) nothing. */
export async function importStore(url: string, input: Readable): Promise<ImportCounts & { read: Counts }> {
  const adapter = await openAdapter(url, false);
  const read = zeroCounts();
  try {
    try {
      return { ...(await adapter.importBatches(batches(input, read))), read };
    } catch (error) {
      // The input's own errors (a bad line) and the database's (a broken link) alike: the transaction is undone.
      throw new TransferError(`nothing was imported into ${redact(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  } finally {
    await adapter.close();
  }
}
