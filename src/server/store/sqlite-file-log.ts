/**
 * The ingest bookkeeping of the SQLite store: which files were committed (`processed_file`) and which could
 * not be read (`ingest_failure`). Statements are prepared once per connection: preparing costs as much as the
 * tiny statements themselves, and ingest runs them for every file.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { IngestFailure, ProcessedFile } from '../model.js';

export class SqliteFileLog {
  private readonly isProcessed: Statement;
  private readonly markProcessed: Statement;
  private readonly clearFailure: Statement;
  private readonly recordFailure: Statement;
  private readonly listFailures: Statement;
  private readonly processedAmong: Statement;
  private readonly failedAmong: Statement;

  constructor(db: Database) {
    this.isProcessed = db.prepare('SELECT 1 FROM processed_file WHERE source = ? AND key = ? AND fingerprint = ?');
    this.markProcessed = db.prepare(
      'INSERT INTO processed_file (source, key, fingerprint, records, bad_records, processed_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.clearFailure = db.prepare('DELETE FROM ingest_failure WHERE source = ? AND key = ?');
    this.recordFailure = db.prepare(
      'INSERT OR REPLACE INTO ingest_failure (source, key, fingerprint, reason, at, transient) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.listFailures = db.prepare(
      'SELECT source, key, fingerprint, reason, at FROM ingest_failure ORDER BY at, source, key',
    );
    // The keys travel as one JSON array: one statement for any batch size, probed through the primary key.
    this.processedAmong = db.prepare(
      'SELECT key, fingerprint FROM processed_file WHERE source = ? AND key IN (SELECT value FROM json_each(?))',
    );
    this.failedAmong = db.prepare(
      'SELECT key, fingerprint FROM ingest_failure WHERE source = ? AND transient = 0 AND key IN (SELECT value FROM json_each(?))',
    );
  }

  processed(source: string, key: string, fingerprint: string): boolean {
    return this.isProcessed.get(source, key, fingerprint) !== undefined;
  }

  /** The keys among `files` committed before with the same fingerprint, in one query. */
  processedKeys(source: string, files: ReadonlyArray<{ key: string; fingerprint: string }>): Set<string> {
    return sameFingerprint(this.processedAmong, source, files);
  }

  /** The keys among `files` that failed for good (not transiently) with the same fingerprint, in one query. */
  failedKeys(source: string, files: ReadonlyArray<{ key: string; fingerprint: string }>): Set<string> {
    return sameFingerprint(this.failedAmong, source, files);
  }

  /** Records the file as committed and forgets an earlier failure of it; call inside the commit's transaction. */
  markCommitted(file: ProcessedFile, now: number): void {
    this.markProcessed.run(file.source, file.key, file.fingerprint, file.records, file.badRecords, now);
    this.clearFailure.run(file.source, file.key);
  }

  recordIngestFailure(f: Omit<IngestFailure, 'at'> & { transient?: boolean }): void {
    this.recordFailure.run(f.source, f.key, f.fingerprint, f.reason, Date.now(), f.transient === true ? 1 : 0);
  }

  listIngestFailures(): IngestFailure[] {
    const rows = this.listFailures.all() as Array<Omit<IngestFailure, 'at'> & { at: number }>;
    return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
  }
}

/** Runs `statement` (source, JSON array of keys → key, fingerprint) and keeps the keys whose fingerprint matches. */
function sameFingerprint(
  statement: Statement,
  source: string,
  files: ReadonlyArray<{ key: string; fingerprint: string }>,
): Set<string> {
  const found = new Set<string>();
  if (files.length === 0) return found;
  const wanted = new Map(files.map((f) => [f.key, f.fingerprint]));
  const rows = statement.all(source, JSON.stringify([...wanted.keys()])) as Array<{ key: string; fingerprint: string }>;
  for (const row of rows) if (wanted.get(row.key) === row.fingerprint) found.add(row.key);
  return found;
}
