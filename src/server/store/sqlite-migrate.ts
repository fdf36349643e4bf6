/** Runs the numbered SQL migrations (`migrations/sqlite/00N-name.sql`) not yet recorded in `schema_migration`. */
import type { Database } from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/sqlite/', import.meta.url));

export function migrate(db: Database, dir = MIGRATIONS_DIR): string[] {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(db.prepare('SELECT version FROM schema_migration').pluck().all() as number[]);
  const files = readdirSync(dir)
    .map((name) => ({ name, match: /^(\d+)-[\w-]+\.sql$/.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    .map(({ name, match }) => ({ name, version: Number(match[1]) }))
    .sort((a, b) => a.version - b.version);
  const record = db.prepare('INSERT INTO schema_migration (version, name, applied_at) VALUES (?, ?, ?)');
  const isApplied = db.prepare('SELECT 1 FROM schema_migration WHERE version = ?');
  const ran: string[] = [];
  for (const { name, version } of files) {
    if (applied.has(version)) continue;
    const sql = readFileSync(`${dir}/${name}`, 'utf8');
    // Another process opening the same new file (a server and an ingest started together) may be migrating too:
    // the write lock is taken first and the version checked again under it, so each migration runs once.
    const fresh = db
      .transaction(() => {
        if (isApplied.get(version) !== undefined) return false;
        db.exec(sql);
        record.run(version, name, Date.now());
        return true;
      })
      .immediate();
    if (fresh) ran.push(name);
  }
  return ran;
}
