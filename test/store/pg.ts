/**
 * PostgreSQL for tests: FULLSTOP_TEST_PG_URL names the server (CI: postgres://postgres@127.0.0.1:5432/test). Every
 * store a test opens lives in a schema of its own, created by the store's migrations and dropped afterwards, so
 * runs and test files never see each other's rows. Without the variable, or with a server that does not answer,
 * the PostgreSQL tests are skipped with the reason in their title; FULLSTOP_TEST_PG_REQUIRED=1 (set by .ci/run)
 * turns that into a failure, so CI cannot skip them silently.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.FULLSTOP_TEST_PG_URL || undefined;

async function probe(): Promise<string | undefined> {
  if (PG_URL === undefined) return 'FULLSTOP_TEST_PG_URL is not set';
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    // Schemas left behind by runs that were killed: older than an hour, so no run still uses them.
    const { rows } = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname ~ '^fullstop_test_[0-9]+_'",
    );
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    for (const { nspname } of rows)
      if (Number(nspname.split('_')[2]) < hourAgo) await client.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
    return undefined;
  } catch (error) {
    return `PostgreSQL at FULLSTOP_TEST_PG_URL does not answer: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Why the PostgreSQL tests are skipped, or undefined when they run. */
export const PG_SKIP_REASON = await probe();
if (PG_SKIP_REASON !== undefined) {
  if (process.env.FULLSTOP_TEST_PG_REQUIRED === '1') throw new Error(`PostgreSQL tests required: ${PG_SKIP_REASON}`);
  console.warn(`skipping the PostgreSQL tests: ${PG_SKIP_REASON}`);
}

/** A suite title that says why it was skipped. */
export const pgTitle = (title: string) =>
  PG_SKIP_REASON === undefined ? title : `${title} (skipped: ${PG_SKIP_REASON})`;

/** `url` with the session's search_path set to `schema`, through the `options` parameter libpq and pg both read. */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  const options = parsed.searchParams.get('options');
  parsed.searchParams.set('options', `${options ? `${options} ` : ''}-c search_path=${schema}`);
  return parsed.toString();
}

export interface TestSchema {
  name: string;
  /** The database URL with this schema as its search_path. */
  url: string;
  /** Runs SQL as the test's superuser in this schema. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

/** A new schema name; nothing is created until a store opens it (its migrations create the schema). */
export function testSchema(): TestSchema {
  if (PG_URL === undefined) throw new Error('FULLSTOP_TEST_PG_URL is not set');
  const name = `fullstop_test_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const url = withSearchPath(PG_URL, name);
  let pool: pg.Pool | undefined;
  return {
    name,
    url,
    query(text, values) {
      pool ??= new pg.Pool({ connectionString: url, max: 2 });
      return pool.query(text, values);
    },
    async drop() {
      await pool?.end();
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
