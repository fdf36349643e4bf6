/**
 * The write path shared by `commitFile` and `insertViolations`: creates unknown types, whitelists, and inserts
 * with prepared statements, skipping duplicates through the partial unique indexes. Call inside a transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { ViolationDraft, InsertResult } from '../model.js';
import { compileWhitelist, WHITELIST_COMMENT_PREFIX, type WhitelistRule } from './whitelist.js';

/** Who the original's auditing names when no user is involved. */
export const SYSTEM_AUDITOR = 'FULLSTOP';

type Whitelist = (draft: ViolationDraft) => WhitelistRule | undefined;

export class SqliteInserter {
  private readonly insert: Statement;
  private readonly insertVersion: Statement;
  private readonly insertType: Statement;
  private readonly activeRules: Statement;
  /**
   * The compiled whitelist, valid until the soonest expiry of its rules, or until `forgetWhitelist()`: the store
   * calls that after its own rule writes and when `PRAGMA data_version` shows a commit of another connection.
   */
  private cached: { whitelist: Whitelist; validUntil: number } | undefined;

  constructor(db: Database) {
    this.insert = db.prepare(`INSERT INTO violation
      (event_id, account_id, region, instance_id, meta_info, comment, plugin_fully_qualified_class_name,
       violation_type_entity_id, created, created_by, last_modified, last_modified_by, username, rule_entity_id,
       application_id, application_version_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    this.insertVersion = db.prepare('INSERT OR IGNORE INTO app_version (name, created) VALUES (?, ?)');
    // Unknown types as the original's persister creates them: severity 0, no title or priority.
    this.insertType = db.prepare(`INSERT OR IGNORE INTO violation_type
      (id, help_text, violation_severity, is_audit_relevant, title, priority, version, created, created_by, last_modified, last_modified_by)
      VALUES (?, 'This is only a default message', 0, 0, NULL, NULL, 0, ?, ?, ?, ?)`);
    this.activeRules =
      db.prepare(`SELECT id, account_id AS accountId, region, violation_type_entity_id AS violationType,
      image_name AS imageName, image_owner AS imageOwner, application_id AS applicationId,
      application_version AS applicationVersion, meta_info_json_path AS metaInfoJsonPath, reason, expiry_date AS expiry
      FROM rule WHERE expiry_date > ? ORDER BY id`);
  }

  /** The rules may have changed: the next insert reads and compiles them again. */
  forgetWhitelist(): void {
    this.cached = undefined;
  }

  /** Compiling rules (regexes, JSONPaths) for every commit costs more than the commit; it is redone only on change. */
  private whitelist(now: number): Whitelist {
    if (this.cached !== undefined && now < this.cached.validUntil) return this.cached.whitelist;
    const rules = this.activeRules.all(now) as Array<WhitelistRule & { expiry: number }>;
    const validUntil = rules.reduce((soonest, rule) => Math.min(soonest, rule.expiry), Number.POSITIVE_INFINITY);
    this.cached = { whitelist: compileWhitelist(rules), validUntil };
    return this.cached.whitelist;
  }

  /** Inserts the drafts; returns the counts and whether a type had to be created. */
  run(drafts: readonly ViolationDraft[], knownTypes: ReadonlySet<string>): InsertResult & { createdTypes: string[] } {
    // Most delivery files hold no violation at all: then there are no rules to look at either.
    if (drafts.length === 0) return { inserted: 0, duplicates: 0, createdTypes: [] };
    const now = Date.now();
    const whitelist = this.whitelist(now);
    const createdTypes: string[] = [];
    let inserted = 0;
    for (const d of drafts) {
      if (!knownTypes.has(d.type) && !createdTypes.includes(d.type)) {
        if (this.insertType.run(d.type, now, SYSTEM_AUDITOR, now, SYSTEM_AUDITOR).changes > 0)
          createdTypes.push(d.type);
      }
      const rule = whitelist(d);
      const meta = d.metaInfo === undefined || d.metaInfo === null ? null : JSON.stringify(d.metaInfo);
      const result = this.insert.run(
        d.eventId,
        d.accountId,
        d.region,
        d.instanceId ?? null,
        meta,
        rule === undefined ? null : WHITELIST_COMMENT_PREFIX + rule.reason,
        d.pluginName ?? null,
        d.type,
        now,
        SYSTEM_AUDITOR,
        now,
        SYSTEM_AUDITOR,
        d.username ?? null,
        rule?.id ?? null,
        d.applicationId ?? null,
        d.applicationVersion ?? null,
      );
      if (result.changes === 0) continue;
      inserted++;
      if (d.applicationVersion) this.insertVersion.run(d.applicationVersion, now);
    }
    return { inserted, duplicates: drafts.length - inserted, createdTypes };
  }
}
