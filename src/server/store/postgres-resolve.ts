/**
 * Resolutions in the PostgreSQL store. The account check is part of the UPDATE's WHERE clause, so an allowed
 * resolution is one statement (the row lock makes concurrent resolutions of one violation apply one after the
 * other, each raising the version, and RETURNING hands back the row as updated); only one that changed nothing
 * reads the row, to tell a missing violation from a forbidden account.
 */
import type { BatchResolution, ResolvableAccounts } from './store.js';
import type { ViolationRow } from './sqlite-rows.js';
import { pgText, rowId, transaction, type Pool } from './postgres-pool.js';
import { VIOLATION_COLUMNS } from './postgres-query.js';

const SET = 'comment = $1, last_modified = $2, last_modified_by = $3, version = version + 1';

/** A resolution that changed nothing: no such violation, or one of an account the caller may not resolve. */
export type Refusal = { status: 'not_found' } | { status: 'forbidden'; accountId: string | null };

export class PostgresResolver {
  constructor(private readonly pool: Pool) {}

  /** Resolves one violation; the updated row, or why nothing changed. */
  async resolve(
    id: number,
    comment: string,
    by: string,
    accounts: ResolvableAccounts,
  ): Promise<ViolationRow | Refusal> {
    if (rowId(id) === undefined) return { status: 'not_found' };
    const values: unknown[] = [pgText(comment), Date.now(), pgText(by), id];
    let where = 'id = $4';
    if (accounts !== '*') {
      values.push([...accounts]);
      where += ' AND account_id = ANY($5::text[])';
    }
    const { rows } = await this.pool.query<ViolationRow>(
      `UPDATE violation SET ${SET} WHERE ${where} RETURNING ${VIOLATION_COLUMNS}`,
      values,
    );
    if (rows[0] !== undefined) return rows[0];
    const found = await this.pool.query<{ account_id: string | null }>(
      'SELECT account_id FROM violation WHERE id = $1',
      [id],
    );
    const row = found.rows[0];
    return row === undefined ? { status: 'not_found' } : { status: 'forbidden', accountId: row.account_id };
  }

  /** Resolves each of `ids` in one transaction; one outcome per id, in their order. */
  async resolveAll(
    ids: readonly number[],
    comment: string,
    by: string,
    accounts: ResolvableAccounts,
  ): Promise<BatchResolution[]> {
    const valid = ids.filter((id) => rowId(id) !== undefined);
    if (valid.length === 0) return ids.map((id) => ({ id, status: 'not_found' }));
    return transaction(this.pool, async (client) => {
      const values: unknown[] = [pgText(comment), Date.now(), pgText(by), valid];
      let where = 'id = ANY($4::bigint[])';
      if (accounts !== '*') {
        values.push([...accounts]);
        where += ' AND account_id = ANY($5::text[])';
      }
      const updated = await client.query<{ id: string | number }>(
        `UPDATE violation SET ${SET} WHERE ${where} RETURNING id`,
        values,
      );
      const resolved = new Set(updated.rows.map((row) => Number(row.id)));
      const refused = valid.filter((id) => !resolved.has(id));
      const accountOf = new Map<number, string | null>();
      if (refused.length > 0) {
        const found = await client.query<{ id: string | number; account_id: string | null }>(
          'SELECT id, account_id FROM violation WHERE id = ANY($1::bigint[])',
          [refused],
        );
        for (const row of found.rows) accountOf.set(Number(row.id), row.account_id);
      }
      return ids.map((id): BatchResolution => {
        if (resolved.has(id)) return { id, status: 'resolved' };
        const accountId = accountOf.get(id);
        return accountId === undefined ? { id, status: 'not_found' } : { id, status: 'forbidden', accountId };
      });
    });
  }
}
