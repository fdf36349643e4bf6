/**
 * Whitelisting-rule persistence for the PostgreSQL store. Rules are immutable but for their expiry. Concurrent
 * changes from several servers never undo each other: an expiry is moved only while the rule is still active when
 * the update runs (checked again after waiting for a concurrent change's row lock), so a rule that a concurrent
 * replace has just expired is never brought back. Both sides read "now" from the database's clock, one clock for
 * every server, since a server whose clock is behind would otherwise still see the replaced rule as active.
 */
import type { WhitelistingRuleDraft, ExpireWhitelistingRuleResult } from '../model.js';
import type { WhitelistingRule } from '../../shared/violation.js';
import { toWhitelistingRule, type WhitelistingRuleRow } from './sqlite-rows.js';
import { NEVER_EXPIRES } from './sqlite-rules.js';
import { UnknownViolationTypeError } from './store.js';
import { pgText, rowId, transaction, type Pool, type Queryable } from './postgres-pool.js';

/** The database's time in epoch ms, evaluated afresh wherever it appears (also when a qual is rechecked). */
const DB_NOW = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

const RULE_COLUMNS =
  'id, account_id, region, application_id, application_version, image_name, image_owner, reason, expiry_date, ' +
  'violation_type_entity_id, meta_info_json_path, created, created_by, last_modified, last_modified_by, version';

export class PostgresRules {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<WhitelistingRule[]> {
    const { rows } = await this.pool.query<WhitelistingRuleRow>(`SELECT ${RULE_COLUMNS} FROM rule ORDER BY id`);
    return rows.map(toWhitelistingRule);
  }

  async get(id: number): Promise<WhitelistingRule | undefined> {
    if (rowId(id) === undefined) return undefined;
    const { rows } = await this.pool.query<WhitelistingRuleRow>(`SELECT ${RULE_COLUMNS} FROM rule WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : toWhitelistingRule(rows[0]);
  }

  async create(draft: WhitelistingRuleDraft, by: string): Promise<WhitelistingRule> {
    return this.insert(this.pool, draft, by, Date.now());
  }

  /** Expires the rule now and creates its replacement, in one transaction. */
  async replace(id: number, draft: WhitelistingRuleDraft, by: string): Promise<WhitelistingRule | undefined> {
    if (rowId(id) === undefined) return undefined;
    return transaction(this.pool, async (client) => {
      const { rows } = await client.query<{ now: number }>(
        `UPDATE rule SET expiry_date = ${DB_NOW}, last_modified = ${DB_NOW}, last_modified_by = $2, version = version + 1
          WHERE id = $1 RETURNING expiry_date AS now`,
        [id, pgText(by)],
      );
      if (rows[0] === undefined) return undefined;
      return this.insert(client, draft, by, rows[0].now);
    });
  }

  async expire(id: number, expiry: number, by: string): Promise<ExpireWhitelistingRuleResult> {
    if (rowId(id) === undefined) return 'not-found';
    const { rowCount: moved } = await this.pool.query(
      `UPDATE rule SET expiry_date = $2, last_modified = ${DB_NOW}, last_modified_by = $3, version = version + 1
        WHERE id = $1 AND expiry_date > ${DB_NOW} AND $2 > ${DB_NOW}`,
      [id, expiry, pgText(by)],
    );
    if ((moved ?? 0) > 0) return 'expired';
    const { rowCount } = await this.pool.query('SELECT 1 FROM rule WHERE id = $1', [id]);
    return (rowCount ?? 0) > 0 ? 'in-past' : 'not-found';
  }

  private async insert(
    db: Queryable,
    draft: WhitelistingRuleDraft,
    by: string,
    now: number,
  ): Promise<WhitelistingRule> {
    try {
      const { rows } = await db.query<WhitelistingRuleRow>(
        `INSERT INTO rule (account_id, region, application_id, application_version, image_name, image_owner, reason,
          expiry_date, violation_type_entity_id, meta_info_json_path, created, created_by, last_modified, last_modified_by, version)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12, $13) RETURNING ${RULE_COLUMNS}`,
        [
          pgText(draft.accountId ?? null),
          pgText(draft.region ?? null),
          pgText(draft.applicationId ?? null),
          pgText(draft.applicationVersion ?? null),
          pgText(draft.imageName ?? null),
          pgText(draft.imageOwner ?? null),
          pgText(draft.reason),
          draft.expiryDate ?? NEVER_EXPIRES,
          pgText(draft.violationType ?? null),
          pgText(draft.metaInfoJsonPath ?? null),
          now,
          pgText(by),
          draft.version ?? 0,
        ],
      );
      return toWhitelistingRule(rows[0]!);
    } catch (error) {
      // The foreign key names the type the store does not know; inside `replace` the rollback keeps the old rule.
      if ((error as { code?: string }).code === '23503' && draft.violationType)
        throw new UnknownViolationTypeError(draft.violationType);
      throw error;
    }
  }
}
