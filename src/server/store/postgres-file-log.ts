/**
 * The ingest bookkeeping of the PostgreSQL store: which files were committed (`processed_file`) and which could not
 * be read (`ingest_failure`). Claiming a file is an insert that skips conflicts: of two servers committing the same
 * file at once, the second waits for the first and then finds the file claimed, so each file counts exactly once.
 */
import type { IngestFailure, ProcessedFile } from '../model.js';
import { pgText, type Queryable } from './postgres-pool.js';

const fileKey = (f: { source: string; key: string; fingerprint: string }) =>
  JSON.stringify([f.source, f.key, f.fingerprint]);

export async function isProcessed(db: Queryable, source: string, key: string, fingerprint: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM processed_file WHERE source = $1 AND key = $2 AND fingerprint = $3',
    [pgText(source), pgText(key), pgText(fingerprint)],
  );
  return (rowCount ?? 0) > 0;
}

/** The keys among `files` committed before with the same fingerprint, in one query. */
export async function processedKeys(
  db: Queryable,
  source: string,
  files: ReadonlyArray<{ key: string; fingerprint: string }>,
): Promise<Set<string>> {
  return sameFingerprint(db, 'processed_file', 'true', source, files);
}

/** The keys among `files` that failed for good (not transiently) with the same fingerprint, in one query. */
export async function failedKeys(
  db: Queryable,
  source: string,
  files: ReadonlyArray<{ key: string; fingerprint: string }>,
): Promise<Set<string>> {
  return sameFingerprint(db, 'ingest_failure', 'NOT t.transient', source, files);
}

/**
 * The keys of `files` that `table` holds for `source` with the same fingerprint (and `condition`). Each key is one
 * primary-key probe (LATERAL … LIMIT 1 cannot become a join): a scan of the source's rows, which a stale estimate
 * favours while the table is young, would read every file of the source for every batch.
 */
async function sameFingerprint(
  db: Queryable,
  table: 'processed_file' | 'ingest_failure',
  condition: string,
  source: string,
  files: ReadonlyArray<{ key: string; fingerprint: string }>,
): Promise<Set<string>> {
  const found = new Set<string>();
  if (files.length === 0) return found;
  const original = new Map(files.map((f) => [pgText(f.key), f.key]));
  const { rows } = await db.query<{ key: string }>(
    `SELECT w.key FROM unnest($2::text[], $3::text[]) AS w(key, fingerprint)
      CROSS JOIN LATERAL (
        SELECT 1 FROM ${table} t
          WHERE t.source = $1 AND t.key = w.key AND t.fingerprint = w.fingerprint AND ${condition} LIMIT 1
      ) t`,
    [pgText(source), files.map((f) => pgText(f.key)), files.map((f) => pgText(f.fingerprint))],
  );
  for (const row of rows) found.add(original.get(row.key) ?? row.key);
  return found;
}

/**
 * Records the files as committed, in key order (so that concurrent claims lock rows in the same order), and
 * returns the indexes of the files this call claimed: not those committed before, nor a repeat within `files`.
 */
export async function claimFiles(db: Queryable, files: readonly ProcessedFile[], now: number): Promise<Set<number>> {
  const first = new Map<string, number>();
  files.forEach((f, i) => {
    const key = fileKey({ source: pgText(f.source), key: pgText(f.key), fingerprint: pgText(f.fingerprint) });
    if (!first.has(key)) first.set(key, i);
  });
  const unique = [...first.values()].map((i) => files[i]!);
  const { rows } = await db.query<{ source: string; key: string; fingerprint: string }>(
    `INSERT INTO processed_file (source, key, fingerprint, records, bad_records, processed_at)
      SELECT s, k, f, r, b, $6 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS t(s, k, f, r, b)
      ORDER BY s, k, f
      ON CONFLICT DO NOTHING RETURNING source, key, fingerprint`,
    [
      unique.map((f) => pgText(f.source)),
      unique.map((f) => pgText(f.key)),
      unique.map((f) => pgText(f.fingerprint)),
      unique.map((f) => f.records),
      unique.map((f) => f.badRecords),
      now,
    ],
  );
  return new Set(rows.map((row) => first.get(fileKey(row))!));
}

/** A file committed now was read after all: its earlier failure is forgotten. */
export async function clearFailures(db: Queryable, files: readonly ProcessedFile[]): Promise<void> {
  if (files.length === 0) return;
  await db.query(`DELETE FROM ingest_failure WHERE (source, key) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [
    files.map((f) => pgText(f.source)),
    files.map((f) => pgText(f.key)),
  ]);
}

export async function recordIngestFailure(
  db: Queryable,
  f: Omit<IngestFailure, 'at'> & { transient?: boolean },
): Promise<void> {
  await db.query(
    `INSERT INTO ingest_failure (source, key, fingerprint, reason, at, transient) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (source, key) DO UPDATE SET fingerprint = excluded.fingerprint, reason = excluded.reason,
        at = excluded.at, transient = excluded.transient`,
    [pgText(f.source), pgText(f.key), pgText(f.fingerprint), pgText(f.reason), Date.now(), f.transient === true],
  );
}

export async function listIngestFailures(db: Queryable): Promise<IngestFailure[]> {
  const { rows } = await db.query<Omit<IngestFailure, 'at'> & { at: number }>(
    'SELECT source, key, fingerprint, reason, at FROM ingest_failure ORDER BY at, source, key',
  );
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
