/** Export and import on a SQLite store file: its tables read and written directly, in one transaction each. */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate } from '../sqlite-migrate.js';
import { KINDS, TABLES, zeroCounts, type ColumnType, type Counts, type Kind } from './format.js';
import type { Batch, ImportCounts, TransferAdapter, TransferRow } from './adapter.js';

const BATCH = 1000;
const columnsOf = (kind: Kind) => Object.entries(TABLES[kind].columns as Record<string, ColumnType>);

export class SqliteTransfer implements TransferAdapter {
  readonly store = 'sqlite';
  private readonly db: Database.Database;

  /** `mustExist`: exporting a file that is not there is a mistake, not an empty store. */
  constructor(path: string, mustExist: boolean) {
    if (mustExist && path !== ':memory:' && !existsSync(path)) throw new Error(`no SQLite database at ${path}`);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  async *exportRows(): AsyncIterable<Batch> {
    // One read transaction: every table from the same snapshot, whatever a running server commits meanwhile.
    this.db.exec('BEGIN');
    try {
      for (const kind of KINDS) {
        const columns = columnsOf(kind);
        const booleans = columns.filter(([, type]) => type === 'bool!').map(([name]) => name);
        const statement = this.db.prepare(
          `SELECT ${columns.map(([name]) => name).join(', ')} FROM ${kind} ORDER BY ${TABLES[kind].key.join(', ')}`,
        );
        let rows: TransferRow[] = [];
        for (const row of statement.iterate() as Iterable<TransferRow>) {
          for (const name of booleans) row[name] = row[name] === 1;
          rows.push(row);
          if (rows.length === BATCH) {
            yield { kind, rows };
            rows = [];
          }
        }
        if (rows.length > 0) yield { kind, rows };
      }
    } finally {
      this.db.exec('COMMIT');
    }
  }

  async importBatches(batches: AsyncIterable<Batch>): Promise<ImportCounts> {
    const inserted = zeroCounts();
    const updated = zeroCounts();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for await (const { kind, rows } of batches) {
        const result = this.write(kind, rows);
        inserted[kind] += result.inserted;
        updated[kind] += result.updated;
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    return { inserted, updated };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private write(kind: Kind, rows: readonly TransferRow[]): { inserted: number; updated: number } {
    const columns = columnsOf(kind);
    const names = columns.map(([name]) => name);
    const values = (row: TransferRow) =>
      columns.map(([name, type]) => (type === 'bool!' ? (row[name] ? 1 : 0) : row[name]));
    const insert = this.db.prepare(
      `INSERT INTO ${kind} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
    );
    let inserted = 0;
    let updated = 0;
    if (!('upsert' in TABLES[kind])) {
      for (const row of rows) inserted += insert.run(...values(row)).changes;
      return { inserted, updated };
    }
    const key = TABLES[kind].key;
    const others = names.filter((name) => !key.includes(name));
    const update = this.db.prepare(
      `UPDATE ${kind} SET ${others.map((name) => `${name} = ?`).join(', ')}
        WHERE ${key.map((name) => `${name} = ?`).join(' AND ')} AND NOT (${others.map((name) => `${name} IS ?`).join(' AND ')})`,
    );
    for (const row of rows) {
      if (insert.run(...values(row)).changes > 0) {
        inserted++;
        continue;
      }
      const byName = Object.fromEntries(names.map((name, i) => [name, values(row)[i]]));
      const rest = others.map((name) => byName[name]);
      updated += update.run(...rest, ...key.map((name) => byName[name]), ...rest).changes;
    }
    return { inserted, updated };
  }
}

export type { Counts };
