/** Maps SQLite rows (times in epoch ms) to the wire DTOs of violations, types and whitelisting rules. */
import type { Violation, ViolationType, WhitelistingRule } from '../../shared/violation.js';

export interface ViolationRow {
  id: number;
  version: number;
  event_id: string;
  account_id: string;
  region: string;
  instance_id: string | null;
  meta_info: string | null;
  comment: string | null;
  plugin_fully_qualified_class_name: string | null;
  violation_type_entity_id: string;
  created: number;
  created_by: string | null;
  last_modified: number | null;
  last_modified_by: string | null;
  username: string | null;
  rule_entity_id: number | null;
  application_id: string | null;
  application_version_id: string | null;
}

export interface ViolationTypeRow {
  id: string;
  help_text: string | null;
  violation_severity: number | null;
  is_audit_relevant: number;
  title: string | null;
  priority: number | null;
  version: number;
  created: number | null;
  created_by: string | null;
  last_modified: number | null;
  last_modified_by: string | null;
}

export interface WhitelistingRuleRow {
  id: number;
  account_id: string | null;
  region: string | null;
  application_id: string | null;
  application_version: string | null;
  image_name: string | null;
  image_owner: string | null;
  reason: string;
  expiry_date: number;
  violation_type_entity_id: string | null;
  meta_info_json_path: string | null;
  created: number;
  created_by: string;
  last_modified: number | null;
  last_modified_by: string | null;
  version: number;
}

export const isoDate = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Stored meta info is JSON text; text that is not JSON comes back as `{ data: text }`, as in the original. */
export function parseMetaInfo(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { data: text };
  }
}

export function toViolationType(row: ViolationTypeRow): ViolationType {
  return {
    id: row.id,
    help_text: row.help_text,
    violation_severity: row.violation_severity,
    audit_relevant: row.is_audit_relevant === 1,
    title: row.title,
    priority: row.priority,
    version: row.version,
    created: isoDate(row.created),
    created_by: row.created_by,
    last_modified: isoDate(row.last_modified),
    last_modified_by: row.last_modified_by,
  };
}

export function toViolation(row: ViolationRow, type: ViolationType): Violation {
  return {
    id: row.id,
    version: row.version,
    event_id: row.event_id,
    account_id: row.account_id,
    region: row.region,
    meta_info: parseMetaInfo(row.meta_info),
    comment: row.comment,
    instance_id: row.instance_id,
    plugin_fully_qualified_class_name: row.plugin_fully_qualified_class_name,
    violation_type: type,
    created: isoDate(row.created),
    created_by: row.created_by,
    last_modified: isoDate(row.last_modified),
    last_modified_by: row.last_modified_by,
    username: row.username,
    rule_id: row.rule_entity_id,
    application_id: row.application_id,
    application_version_id: row.application_version_id,
  };
}

export function toWhitelistingRule(row: WhitelistingRuleRow): WhitelistingRule {
  return {
    id: row.id,
    account_id: row.account_id,
    region: row.region,
    application_id: row.application_id,
    application_version: row.application_version,
    image_name: row.image_name,
    image_owner: row.image_owner,
    reason: row.reason,
    expiry_date: new Date(row.expiry_date).toISOString(),
    violation_type_entity_id: row.violation_type_entity_id,
    meta_info_json_path: row.meta_info_json_path,
    created: new Date(row.created).toISOString(),
    created_by: row.created_by,
    last_modified: isoDate(row.last_modified),
    last_modified_by: row.last_modified_by,
    version: row.version,
  };
}
