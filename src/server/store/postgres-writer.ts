/**
 * The write path shared by `commitFiles` and `insertViolations` in the PostgreSQL store: creates unknown types,
 * whitelists, and inserts every draft of a call in one statement, skipping duplicates through the partial unique
 * indexes. Call inside a transaction.
 *
 * The violation insert is the last statement of its transaction on purpose: it raises the `violation`
 * generation counter (a row lock of this connection's slot, held until commit), so that lock is held briefly.
 */
import type { ViolationDraft } from '../model.js';
import { compileWhitelist, WHITELIST_COMMENT_PREFIX, type WhitelistRule } from './whitelist.js';
import { SYSTEM_AUDITOR } from './sqlite-inserter.js';
import { pgText, type Queryable } from './postgres-pool.js';
import { generation } from './postgres-query.js';

type Whitelist = (draft: ViolationDraft) => WhitelistRule | undefined;

/** A draft and the index of the group (file) whose count it adds to. */
export interface GroupedDraft {
  draft: ViolationDraft;
  group: number;
}

const dedupKey = (account: string, region: string, event: string, type: string, instance: string | null) =>
  JSON.stringify([account, region, event, type, instance]);

export class PostgresWriter {
  /** The compiled whitelist, valid while the rule generation is unchanged and no active rule has expired. */
  private cached: { whitelist: Whitelist; generation: number; validUntil: number } | undefined;

  /** Compiling rules (regexes, JSONPaths) for every commit costs more than the commit; it is redone only on change. */
  private async whitelist(db: Queryable, now: number): Promise<Whitelist> {
    const { rows } = await db.query<{ value: number }>(`SELECT ${generation('rule')} AS value`);
    const rules = rows[0]!.value;
    const cached = this.cached;
    if (cached !== undefined && cached.generation === rules && now < cached.validUntil) return cached.whitelist;
    const active = await db.query<WhitelistRule & { expiry: number }>(
      `SELECT id, account_id AS "accountId", region, violation_type_entity_id AS "violationType",
        image_name AS "imageName", image_owner AS "imageOwner", application_id AS "applicationId",
        application_version AS "applicationVersion", meta_info_json_path AS "metaInfoJsonPath", reason, expiry_date AS expiry
        FROM rule WHERE expiry_date > $1 ORDER BY id`,
      [now],
    );
    const validUntil = active.rows.reduce((soonest, rule) => Math.min(soonest, rule.expiry), Number.POSITIVE_INFINITY);
    this.cached = { whitelist: compileWhitelist(active.rows), generation: rules, validUntil };
    return this.cached.whitelist;
  }

  /**
   * Inserts the drafts; returns how many of each group were new, and the types that had to be created.
   * `knownTypes` may be stale: creating a type that exists already does nothing.
   */
  async run(
    db: Queryable,
    drafts: readonly GroupedDraft[],
    groups: number,
    knownTypes: ReadonlySet<string>,
  ): Promise<{ inserted: number[]; createdTypes: string[] }> {
    const inserted = new Array<number>(groups).fill(0);
    // Most delivery files hold no violation at all: then there are no rules or types to look at either.
    if (drafts.length === 0) return { inserted, createdTypes: [] };
    const now = Date.now();
    const whitelist = await this.whitelist(db, now);
    const createdTypes = await this.createTypes(db, drafts, knownTypes, now);
    const columns = {
      event: [] as string[],
      account: [] as string[],
      region: [] as string[],
      instance: [] as Array<string | null>,
      meta: [] as Array<string | null>,
      comment: [] as Array<string | null>,
      plugin: [] as Array<string | null>,
      type: [] as string[],
      username: [] as Array<string | null>,
      rule: [] as Array<number | null>,
      application: [] as Array<string | null>,
      version: [] as Array<string | null>,
    };
    /** Which group the first draft of each dedup key belongs to: that draft is the one a fresh insert keeps. */
    const groupOf = new Map<string, number>();
    for (const { draft: d, group } of drafts) {
      const rule = whitelist(d);
      const row = {
        event: pgText(d.eventId),
        account: pgText(d.accountId),
        region: pgText(d.region),
        instance: pgText(d.instanceId ?? null),
        type: pgText(d.type),
      };
      columns.event.push(row.event);
      columns.account.push(row.account);
      columns.region.push(row.region);
      columns.instance.push(row.instance);
      columns.type.push(row.type);
      columns.meta.push(d.metaInfo === undefined || d.metaInfo === null ? null : JSON.stringify(d.metaInfo));
      columns.comment.push(rule === undefined ? null : pgText(WHITELIST_COMMENT_PREFIX + rule.reason));
      columns.plugin.push(pgText(d.pluginName ?? null));
      columns.username.push(pgText(d.username ?? null));
      columns.rule.push(rule?.id ?? null);
      columns.application.push(pgText(d.applicationId ?? null));
      columns.version.push(pgText(d.applicationVersion ?? null));
      const key = dedupKey(row.account, row.region, row.event, row.type, row.instance);
      if (!groupOf.has(key)) groupOf.set(key, group);
    }
    // One statement for every draft: rows go in in draft order (ids follow it), duplicates of an existing row or
    // of an earlier draft are skipped, and each new version name is recorded with its first-seen time.
    const { rows } = await db.query<{
      account_id: string;
      region: string;
      event_id: string;
      violation_type_entity_id: string;
      instance_id: string | null;
    }>(
      `WITH new_rows AS (
        INSERT INTO violation (event_id, account_id, region, instance_id, meta_info, comment,
          plugin_fully_qualified_class_name, violation_type_entity_id, created, created_by, last_modified,
          last_modified_by, username, rule_entity_id, application_id, application_version_id)
        SELECT e, a, r, i, m, c, p, t, $13, $14, $13, $14, u, ru, ap, av
          FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::bigint[], $11::text[], $12::text[]) WITH ORDINALITY AS d(e, a, r, i, m, c, p, t, u, ru, ap, av, n)
          ORDER BY n
        ON CONFLICT DO NOTHING
        RETURNING account_id, region, event_id, violation_type_entity_id, instance_id, application_version_id
      ), new_versions AS (
        INSERT INTO app_version (name, created)
          SELECT DISTINCT application_version_id, $13::bigint FROM new_rows
          WHERE application_version_id IS NOT NULL AND application_version_id <> ''
        ON CONFLICT DO NOTHING
      )
      SELECT account_id, region, event_id, violation_type_entity_id, instance_id FROM new_rows`,
      [
        columns.event,
        columns.account,
        columns.region,
        columns.instance,
        columns.meta,
        columns.comment,
        columns.plugin,
        columns.type,
        columns.username,
        columns.rule,
        columns.application,
        columns.version,
        now,
        SYSTEM_AUDITOR,
      ],
    );
    for (const row of rows) {
      const key = dedupKey(row.account_id, row.region, row.event_id, row.violation_type_entity_id, row.instance_id);
      const group = groupOf.get(key)!;
      inserted[group] = inserted[group]! + 1;
    }
    return { inserted, createdTypes };
  }

  /** Unknown types as the original's persister creates them: severity 0, no title or priority. */
  private async createTypes(
    db: Queryable,
    drafts: readonly GroupedDraft[],
    knownTypes: ReadonlySet<string>,
    now: number,
  ): Promise<string[]> {
    const unknown = [...new Set(drafts.map(({ draft }) => pgText(draft.type)))].filter((type) => !knownTypes.has(type));
    if (unknown.length === 0) return [];
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO violation_type
        (id, help_text, violation_severity, is_audit_relevant, title, priority, version, created, created_by, last_modified, last_modified_by)
        SELECT t, 'This is only a default message', 0, false, NULL, NULL, 0, $2, $3, $2, $3
        FROM unnest($1::text[]) AS t ORDER BY t
        ON CONFLICT DO NOTHING RETURNING id`,
      [unknown, now, SYSTEM_AUDITOR],
    );
    return rows.map((row) => row.id);
  }
}
