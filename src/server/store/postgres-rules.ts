/**
 * Whitelisting-rule persistence for the PostgreSQL store. Rules are immutable but for their expiry. Each change is
 * one statement or one transaction, so concurrent changes from several servers never undo each other: an expiry
 * is moved only while the rule is still active when the update runs (not when it was read), so a rule that a
 * concurrent replace has just expired is never brought back.
 */
import type { WhitelistingRuleDraft, ExpireWhitelistingRuleResult } from '../model.js';
import type { WhitelistingRule } from '../../shared/violation.js';
import { toWhitelistingRule, type WhitelistingRuleRow } from './sqlite-rows.js';
import { NEVER_EXPIRES } from './sqlite-rules.js';
import { UnknownViolationTypeError } from './store.js';
import { pgText, rowId, transaction, type Pool, type Queryable } from './postgres-pool.js';

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
      const now = Date.now();
      const { rowCount } = await client.query(
        'UPDATE rule SET expiry_date = $2, last_modified = $2, last_modified_by = $3, version = version + 1 WHERE id = $1',
        [id, now, pgText(by)],
      );
      if (rowCount === 0) return undefined;
      return this.insert(client, draft, by, now);
    });
  }

  async expire(id: number, expiry: number, by: string): Promise<ExpireWhitelistingRuleResult> {
    if (rowId(id) === undefined) return 'not-found';
    const now = Date.now();
    if (expiry > now) {
      const { rowCount } = await this.pool.query(
        `UPDATE rule SET expiry_date = $2, last_modified = $3, last_modified_by = $4, version = version + 1
          WHERE id = $1 AND expiry_date > $3`,
        [id, expiry, now, pgText(by)],
      );
      if ((rowCount ?? 0) > 0) return 'expired';
    }
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
