/** Builds the SQL of the violation list and counts from a filter. */
import type { ViolationFilter, SortSpec, SortProperty } from '../model.js';
import type { ViolationType } from '../../shared/violation.js';

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

const SORT_COLUMNS: Record<SortProperty, { column: string; nullable: boolean }> = {
  id: { column: 'id', nullable: false },
  version: { column: 'version', nullable: false },
  created: { column: 'created', nullable: false },
  createdBy: { column: 'created_by', nullable: true },
  lastModified: { column: 'last_modified', nullable: true },
  lastModifiedBy: { column: 'last_modified_by', nullable: true },
  eventId: { column: 'event_id', nullable: false },
  accountId: { column: 'account_id', nullable: false },
  region: { column: 'region', nullable: false },
  instanceId: { column: 'instance_id', nullable: true },
  comment: { column: 'comment', nullable: true },
  pluginFullyQualifiedClassName: { column: 'plugin_fully_qualified_class_name', nullable: true },
  username: { column: 'username', nullable: true },
  'violationTypeEntity.id': { column: 'violation_type_entity_id', nullable: false },
  'ruleEntity.id': { column: 'rule_entity_id', nullable: true },
  'application.name': { column: 'application_id', nullable: true },
  'applicationVersion.name': { column: 'application_version_id', nullable: true },
};

const placeholders = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** The tri-state of the list's `checked`/`whitelisted` filters: whitelisted wins, then checked (resolved by hand), else open. */
export function stateCondition(checked: boolean | undefined, whitelisted: boolean | undefined): string {
  if (whitelisted === true) return 'rule_entity_id IS NOT NULL';
  if (checked === true) return 'comment IS NOT NULL AND rule_entity_id IS NULL';
  return 'comment IS NULL AND rule_entity_id IS NULL';
}

/** Type ids whose severity, priority and audit flag pass the filter, or undefined when it sets none of them. */
function typeIdsByAttributes(filter: ViolationFilter, types: Iterable<ViolationType>): string[] | undefined {
  const { severity, minSeverity, priority, auditRelevant } = filter;
  if (severity === undefined && minSeverity === undefined && priority === undefined && auditRelevant === undefined)
    return undefined;
  const ids: string[] = [];
  for (const t of types) {
    if (severity !== undefined && t.violation_severity !== severity) continue;
    if (minSeverity !== undefined && (t.violation_severity === null || t.violation_severity < minSeverity)) continue;
    if (priority !== undefined && t.priority !== priority) continue;
    if (auditRelevant !== undefined && t.audit_relevant !== auditRelevant) continue;
    ids.push(t.id);
  }
  return ids;
}

/** `$."key"`: SQLite reads a quoted label with JSON string escapes, so any key (quotes, backslashes…) is one label. */
function jsonKeyPath(key: string): string {
  return `$.${JSON.stringify(key)}`;
}

/** WHERE clause (without the keyword) for a violation filter; `types` lets type attributes become an id list. */
export function violationWhere(filter: ViolationFilter, types: Iterable<ViolationType>): SqlFragment {
  const clauses: string[] = [stateCondition(filter.checked, filter.whitelisted)];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly string[] | undefined) => {
    if (values === undefined || values.length === 0) return;
    clauses.push(`${column} IN (${placeholders(values)})`);
    params.push(...values);
  };
  inList('account_id', filter.accounts);
  if (filter.createdAfter !== undefined) {
    clauses.push('created > ?');
    params.push(Math.floor(filter.createdAfter));
  }
  if (filter.createdBefore !== undefined) {
    clauses.push('created < ?');
    params.push(Math.ceil(filter.createdBefore));
  }
  if (filter.lastViolation !== undefined) {
    clauses.push('id >= ?');
    params.push(filter.lastViolation);
  }
  let typeIds = filter.types !== undefined && filter.types.length > 0 ? [...new Set(filter.types)] : undefined;
  const byAttributes = typeIdsByAttributes(filter, types);
  if (byAttributes !== undefined)
    typeIds = typeIds === undefined ? byAttributes : typeIds.filter((id) => byAttributes.includes(id));
  if (typeIds !== undefined && typeIds.length === 0) clauses.push('0');
  inList('violation_type_entity_id', typeIds);
  inList('application_id', filter.applicationIds);
  inList('application_version_id', filter.applicationVersionIds);
  inList('region', filter.regions);
  inList('instance_id', filter.instanceIds);
  for (const [key, value] of filter.meta ?? []) {
    // JSON booleans come back from json_extract as 1/0; compare them by their JSON spelling instead.
    clauses.push(
      "CASE WHEN json_valid(meta_info) THEN json_type(meta_info) END = 'object' AND (CASE json_type(meta_info, ?) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' " +
        "WHEN 'null' THEN NULL ELSE CAST(json_extract(meta_info, ?) AS TEXT) END) = ?",
    );
    params.push(jsonKeyPath(key), jsonKeyPath(key), value);
  }
  return { sql: clauses.join(' AND '), params };
}

/** ORDER BY list; nulls sort as PostgreSQL sorts them (last ascending), and id breaks ties so pages are stable. */
export function orderBy(sort: readonly SortSpec[]): string {
  const terms = sort.map(({ property, direction }) => {
    const { column, nullable } = SORT_COLUMNS[property];
    const nulls = nullable ? (direction === 'ASC' ? ' NULLS LAST' : ' NULLS FIRST') : '';
    return `${column} ${direction}${nulls}`;
  });
  if (!sort.some((s) => s.property === 'id')) terms.push('id ASC');
  return terms.join(', ');
}
