/** `fullstop migrate` (the migrations alone, for deploy pipelines) and the database URL all three commands use. */
import { POSTGRES_URL, describing, redact, unsupported } from './errors.js';

/** The database URL: flag, then FULLSTOP_DB, then the config file's `db`, then the server's default. */
export async function resolveDbUrl(
  flags: { db?: string | undefined; config?: string | undefined },
  env: Record<string, string | undefined>,
): Promise<string> {
  const given = flags.db ?? (env.FULLSTOP_DB || undefined);
  if (given !== undefined && flags.config === undefined) return given;
  const { defaultDbUrl, loadConfigFile } = await import('../../config.js');
  const config = flags.config === undefined ? {} : loadConfigFile(flags.config);
  return given ?? config.db ?? defaultDbUrl(env);
}

/** Runs the pending migrations of the store at `url`; returns the names of those applied now. */
export async function migrateStore(url: string): Promise<string[]> {
  if (POSTGRES_URL.test(url)) {
    const { createPool } = await import('../postgres-pool.js');
    const { migratePostgres } = await import('../postgres-migrate.js');
    const pool = createPool(url, 1);
    try {
      return await describing(`cannot migrate ${redact(url)}`, () => migratePostgres(pool));
    } finally {
      await pool.end();
    }
  }
  if (!url.startsWith('sqlite:') || url.length === 'sqlite:'.length) throw unsupported(url);
  const { default: Database } = await import('better-sqlite3');
  const { mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  const { migrate } = await import('../sqlite-migrate.js');
  const path = url.slice('sqlite:'.length);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  return describing(`cannot migrate ${url}`, async () => {
    const db = new Database(path);
    try {
      return migrate(db);
    } finally {
      db.close();
    }
  });
}
