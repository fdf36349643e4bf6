/**
 * Resolutions in the SQLite store. The account check is part of the UPDATE's WHERE clause, so a resolution that
 * is allowed costs one statement (committing on its own, the row handed back by RETURNING); only one that
 * changed nothing reads the row, to tell a missing violation from a forbidden account.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { BatchResolution, ResolvableAccounts } from './store.js';
import type { ViolationRow } from './sqlite-rows.js';

const SET = 'comment = ?, last_modified = ?, last_modified_by = ?, version = version + 1';
const IN_ACCOUNTS = 'account_id IN (SELECT value FROM json_each(?))';
const IN_IDS = 'id IN (SELECT value FROM json_each(?))';

/** A resolution that changed nothing: no such violation, or one of an account the caller may not resolve. */
export type Refusal = { status: 'not_found' } | { status: 'forbidden'; accountId: string | null };

export class SqliteResolver {
  private readonly one: Statement;
  private readonly oneInAccounts: Statement;
  private readonly many: Statement;
  private readonly manyInAccounts: Statement;
  private readonly accountOf: Statement;
  private readonly accountsOf: Statement;

  constructor(private readonly db: Database) {
    this.one = db.prepare(`UPDATE violation SET ${SET} WHERE id = ? RETURNING *`);
    this.oneInAccounts = db.prepare(`UPDATE violation SET ${SET} WHERE id = ? AND ${IN_ACCOUNTS} RETURNING *`);
    this.many = db.prepare(`UPDATE violation SET ${SET} WHERE ${IN_IDS} RETURNING id`).pluck();
    this.manyInAccounts = db
      .prepare(`UPDATE violation SET ${SET} WHERE ${IN_IDS} AND ${IN_ACCOUNTS} RETURNING id`)
      .pluck();
    this.accountOf = db.prepare('SELECT account_id FROM violation WHERE id = ?');
    this.accountsOf = db.prepare(`SELECT id, account_id FROM violation WHERE ${IN_IDS}`);
  }

  /** Resolves one violation; the updated row, or why nothing changed. */
  resolve(id: number, comment: string, by: string, accounts: ResolvableAccounts): ViolationRow | Refusal {
    const set = [comment, Date.now(), by];
    const row = (
      accounts === '*' ? this.one.get(...set, id) : this.oneInAccounts.get(...set, id, JSON.stringify(accounts))
    ) as ViolationRow | undefined;
    if (row !== undefined) return row;
    const found = this.accountOf.get(id) as { account_id: string | null } | undefined;
    return found === undefined ? { status: 'not_found' } : { status: 'forbidden', accountId: found.account_id };
  }

  /** Resolves each of `ids` in one transaction; one outcome per id, in their order. */
  resolveAll(ids: readonly number[], comment: string, by: string, accounts: ResolvableAccounts): BatchResolution[] {
    if (ids.length === 0) return [];
    return this.db.transaction(() => {
      const set = [comment, Date.now(), by];
      const idsJson = JSON.stringify(ids);
      const resolved = new Set(
        (accounts === '*'
          ? this.many.all(...set, idsJson)
          : this.manyInAccounts.all(...set, idsJson, JSON.stringify(accounts))) as number[],
      );
      const refused = ids.filter((id) => !resolved.has(id));
      const accountOf = new Map(
        refused.length === 0
          ? []
          : (this.accountsOf.all(JSON.stringify(refused)) as { id: number; account_id: string | null }[]).map(
              (row) => [row.id, row.account_id] as const,
            ),
      );
      return ids.map((id): BatchResolution => {
        if (resolved.has(id)) return { id, status: 'resolved' };
        const accountId = accountOf.get(id);
        return accountId === undefined ? { id, status: 'not_found' } : { id, status: 'forbidden', accountId };
      });
    })();
  }
}
