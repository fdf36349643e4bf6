/** Export and import on a PostgreSQL store: read in one snapshot through a cursor, written in one transaction. */
import { createPool, pgText, transaction, type Pool, type PoolClient } from '../postgres-pool.js';
import { migratePostgres } from '../postgres-migrate.js';
import { KINDS, TABLES, zeroCounts, type ColumnType, type Kind } from './format.js';
import type { Batch, ImportCounts, TransferAdapter, TransferRow } from './adapter.js';

const BATCH = 1000;
const ARRAY_TYPE: Record<ColumnType, string> = {
  text: 'text[]',
  'text!': 'text[]',
  int: 'bigint[]',
  'int!': 'bigint[]',
  'bool!': 'boolean[]',
};
const columnsOf = (kind: Kind) => Object.entries(TABLES[kind].columns as Record<string, ColumnType>);

export async function openPostgresTransfer(url: string): Promise<PostgresTransfer> {
  const pool = createPool(url, 2);
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresTransfer(pool);
}

export class PostgresTransfer implements TransferAdapter {
  readonly store = 'postgres';

  constructor(private readonly pool: Pool) {}

  async *exportRows(): AsyncIterable<Batch> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for (const kind of KINDS) {
        const names = columnsOf(kind).map(([name]) => name);
        await client.query(
          `DECLARE export_rows NO SCROLL CURSOR FOR SELECT ${names.join(', ')} FROM ${kind} ORDER BY ${TABLES[kind].key.join(', ')}`,
        );
        for (;;) {
          const { rows } = await client.query<TransferRow>(`FETCH ${BATCH} FROM export_rows`);
          if (rows.length === 0) break;
          yield { kind, rows };
        }
        await client.query('CLOSE export_rows');
      }
      await client.query('COMMIT');
    } finally {
      // A consumer that stopped early leaves the transaction open: the connection is dropped, not reused.
      client.release(true);
    }
  }

  async importBatches(batches: AsyncIterable<Batch>): Promise<ImportCounts> {
    const inserted = zeroCounts();
    const updated = zeroCounts();
    await transaction(
      this.pool,
      async (client) => {
        for await (const { kind, rows } of batches) {
          const result = await write(client, kind, rows);
          inserted[kind] += result.inserted;
          updated[kind] += result.updated;
        }
        // Ids were given explicitly: the identity sequences continue after the highest one.
        for (const table of ['rule', 'violation', 'lifecycle', 'pending_evaluation']) {
          await client.query(
            `SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce(max(id), 1), max(id) IS NOT NULL) FROM ${table}`,
          );
        }
        // Not retried: the batches come from a stream that cannot be read twice.
      },
      1,
    );
    return { inserted, updated };
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

async function write(client: PoolClient, kind: Kind, rows: readonly TransferRow[]) {
  const columns = columnsOf(kind);
  const names = columns.map(([name]) => name);
  const arrays = columns.map(([name, type]) =>
    rows.map((row) => (type.startsWith('text') ? pgText(row[name] as string | null) : row[name])),
  );
  const source = `SELECT * FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${ARRAY_TYPE[type]}`).join(', ')})`;
  const key = TABLES[kind].key;
  if (!('upsert' in TABLES[kind])) {
    const { rowCount } = await client.query(
      `INSERT INTO ${kind} (${names.join(', ')}) ${source} ON CONFLICT DO NOTHING`,
      arrays,
    );
    return { inserted: rowCount ?? 0, updated: 0 };
  }
  const others = names.filter((name) => !key.includes(name));
  const { rows: written } = await client.query<{ inserted: boolean }>(
    `INSERT INTO ${kind} (${names.join(', ')}) ${source}
      ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${others.map((name) => `${name} = excluded.${name}`).join(', ')}
      WHERE (${others.map((name) => `${kind}.${name}`).join(', ')}) IS DISTINCT FROM (${others.map((name) => `excluded.${name}`).join(', ')})
      RETURNING (xmax = 0) AS inserted`,
    arrays,
  );
  const added = written.filter((row) => row.inserted).length;
  return { inserted: added, updated: written.length - added };
}
