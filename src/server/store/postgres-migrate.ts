/**
 * Runs the numbered SQL migrations (`migrations/postgres/00N-name.sql`) not yet recorded in `schema_migration`,
 * each in its own transaction, under an advisory lock: replicas that start together wait for the first one and
 * then find nothing left to do. The lock is per schema, so stores in different schemas of one database (tests,
 * staging beside production) migrate independently.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Pool, PoolClient } from './postgres-pool.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/postgres/', import.meta.url));
/** First key of the two-key advisory lock: "fsmg" in ASCII, so it is recognisable in pg_locks. */
const LOCK_CLASS = 0x66736d67;

export interface MigrationFile {
  version: number;
  name: string;
}

export function migrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .map((name) => ({ name, match: /^(\d+)-[\w-]+\.sql$/.exec(name) }))
    .filter((f): f is { name: string; match: RegExpExecArray } => f.match !== null)
    .map(({ name, match }) => ({ name, version: Number(match[1]) }))
    .sort((a, b) => a.version - b.version);
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The schema the store lives in: the current schema, or the first schema of `search_path` when it does not exist
 * yet (e.g. `?options=-c search_path=fullstop` on a new database), which the migration then creates.
 */
async function targetSchema(client: PoolClient): Promise<{ name: string; exists: boolean }> {
  const { rows } = await client.query<{ current: string | null; path: string }>(
    "SELECT current_schema() AS current, current_setting('search_path') AS path",
  );
  const { current, path } = rows[0]!;
  if (current !== null) return { name: current, exists: true };
  const first = path
    .split(',')
    .map((part) => part.trim())
    .map((part) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part))
    .find((part) => part !== '' && part !== '$user');
  if (first === undefined) throw new Error(`search_path '${path}' names no schema to create the store in`);
  return { name: first, exists: false };
}

/** Applies the pending migrations; returns the names of those this call applied (none when up to date). */
export async function migratePostgres(pool: Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const client = await pool.connect();
  let broken = false;
  try {
    const schema = await targetSchema(client);
    await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, schema.name]);
    try {
      if (!schema.exists) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema.name)}`);
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migration');
      const applied = new Set(rows.map((row) => row.version));
      const ran: string[] = [];
      for (const { name, version } of migrationFiles(dir)) {
        if (applied.has(version)) continue;
        const sql = readFileSync(`${dir}/${name}`, 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)', [
            version,
            name,
            Date.now(),
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${name} failed: ${(error as Error).message}`, { cause: error });
        }
        ran.push(name);
      }
      return ran;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_CLASS, schema.name]).catch(() => {
        // The session lock ends with the connection, which is then discarded instead of going back to the pool.
        broken = true;
      });
    }
  } finally {
    client.release(broken);
  }
}
