/** Whitelisting-rule persistence for the SQLite store. */
import type { Database } from 'better-sqlite3';
import type { WhitelistingRuleDraft, ExpireWhitelistingRuleResult } from '../model.js';
import type { WhitelistingRule } from '../../shared/violation.js';
import { toWhitelistingRule, type WhitelistingRuleRow } from './sqlite-rows.js';

/** The original's default expiry for a rule without one. */
export const NEVER_EXPIRES = Date.UTC(9999, 0, 1);

export class SqliteRules {
  /** `onChange` runs after every rule write, so that a cached compiled whitelist is dropped. */
  constructor(
    private readonly db: Database,
    private readonly onChange: () => void = () => {},
  ) {}

  list(): WhitelistingRule[] {
    return (this.db.prepare('SELECT * FROM rule ORDER BY id').all() as WhitelistingRuleRow[]).map(toWhitelistingRule);
  }

  get(id: number): WhitelistingRule | undefined {
    const row = this.db.prepare('SELECT * FROM rule WHERE id = ?').get(id) as WhitelistingRuleRow | undefined;
    return row === undefined ? undefined : toWhitelistingRule(row);
  }

  create(draft: WhitelistingRuleDraft, by: string, now = Date.now()): WhitelistingRule {
    this.onChange();
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO rule (account_id, region, application_id, application_version, image_name, image_owner, reason,
        expiry_date, violation_type_entity_id, meta_info_json_path, created, created_by, last_modified, last_modified_by, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        draft.accountId ?? null,
        draft.region ?? null,
        draft.applicationId ?? null,
        draft.applicationVersion ?? null,
        draft.imageName ?? null,
        draft.imageOwner ?? null,
        draft.reason,
        draft.expiryDate ?? NEVER_EXPIRES,
        draft.violationType ?? null,
        draft.metaInfoJsonPath ?? null,
        now,
        by,
        now,
        by,
        draft.version ?? 0,
      );
    return this.get(Number(lastInsertRowid))!;
  }

  // Both write after reading: IMMEDIATE takes the write lock first (see SqliteStore.write).
  replace(id: number, draft: WhitelistingRuleDraft, by: string): WhitelistingRule | undefined {
    return this.db
      .transaction(() => {
        const now = Date.now();
        if (!this.setExpiry(id, now, by, now)) return undefined;
        return this.create(draft, by, now);
      })
      .immediate();
  }

  expire(id: number, expiry: number, by: string): ExpireWhitelistingRuleResult {
    return this.db
      .transaction((): ExpireWhitelistingRuleResult => {
        const row = this.db.prepare('SELECT expiry_date FROM rule WHERE id = ?').get(id) as
          { expiry_date: number } | undefined;
        if (row === undefined) return 'not-found';
        const now = Date.now();
        if (!(expiry > now && row.expiry_date > now)) return 'in-past';
        this.setExpiry(id, expiry, by, now);
        return 'expired';
      })
      .immediate();
  }

  private setExpiry(id: number, expiry: number, by: string, now: number): boolean {
    this.onChange();
    const { changes } = this.db
      .prepare(
        'UPDATE rule SET expiry_date = ?, last_modified = ?, last_modified_by = ?, version = version + 1 WHERE id = ?',
      )
      .run(expiry, now, by, id);
    return changes > 0;
  }
}
