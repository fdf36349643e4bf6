/**
 * The SQL of the violation list and its count for PostgreSQL: the same filters as the SQLite store (the original's
 * `GET /api/violations` semantics plus this server's additions), with numbered parameters. Exported so that the
 * plan test explains exactly the statements the store runs.
 */
import type { ViolationFilter, PageRequest, CountFilter } from '../model.js';
import { stateCondition, orderBy } from './sqlite-query.js';

export { stateCondition, orderBy };

/** Collects parameter values and hands out their `$n` placeholders. */
export class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export interface Statement {
  text: string;
  values: unknown[];
}

/** Every column of `violation`, as the row mappers expect them. */
export const VIOLATION_COLUMNS =
  'id, version, event_id, account_id, region, instance_id, meta_info, comment, plugin_fully_qualified_class_name, ' +
  'violation_type_entity_id, created, created_by, last_modified, last_modified_by, username, rule_entity_id, ' +
  'application_id, application_version_id';

/** A table's generation counter (see 001-init.sql): the sum of its slots, 0 before its first write. */
export const generation = (table: 'violation' | 'violation_type' | 'rule') =>
  `(SELECT coalesce(sum(value), 0)::bigint FROM store_generation WHERE name = '${table}')`;

/** The generation counters and the newest `created`, read in the statement's own snapshot. */
export const GENERATIONS =
  `${generation('violation')} AS violation_generation, ${generation('violation_type')} AS type_generation, ` +
  '(SELECT max(created) FROM violation) AS max_created';

/** Ids never exceed 2^53: bounds beyond that are clamped so they still mean "every id" or "no id". */
const clampId = (n: number) => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, Math.ceil(n)));

/**
 * `column = $n` for one value, `column = ANY($n)` for several: PostgreSQL 15 reads an index in order for an
 * equality but not for `= ANY`, and the list pages by id within one account or type.
 */
function inList(clauses: string[], params: Params, column: string, values: readonly string[] | undefined): void {
  if (values === undefined || values.length === 0) return;
  const unique = [...new Set(values)];
  clauses.push(
    unique.length === 1 ? `${column} = ${params.add(unique[0])}` : `${column} = ANY(${params.add(unique)}::text[])`,
  );
}

/**
 * Severity, priority and the audit flag are columns of the type: the list keeps the types that pass. The values
 * are compared as numeric so that any JSON number is a valid parameter.
 */
function typeAttributes(filter: ViolationFilter, params: Params): string | undefined {
  const conditions: string[] = [];
  if (filter.severity !== undefined) conditions.push(`violation_severity = ${params.add(filter.severity)}::numeric`);
  if (filter.minSeverity !== undefined)
    conditions.push(`violation_severity >= ${params.add(filter.minSeverity)}::numeric`);
  if (filter.priority !== undefined) conditions.push(`priority = ${params.add(filter.priority)}::numeric`);
  if (filter.auditRelevant !== undefined)
    conditions.push(`is_audit_relevant = ${params.add(filter.auditRelevant)}::boolean`);
  if (conditions.length === 0) return undefined;
  return `violation_type_entity_id IN (SELECT id FROM violation_type WHERE ${conditions.join(' AND ')})`;
}

/** WHERE clause (without the keyword) of a violation filter. */
export function violationWhere(filter: ViolationFilter, params: Params): string {
  const clauses: string[] = [stateCondition(filter.checked, filter.whitelisted)];
  inList(clauses, params, 'account_id', filter.accounts);
  if (filter.createdAfter !== undefined) clauses.push(`created > ${params.add(Math.floor(filter.createdAfter))}`);
  if (filter.createdBefore !== undefined) clauses.push(`created < ${params.add(Math.ceil(filter.createdBefore))}`);
  if (filter.lastViolation !== undefined) clauses.push(`id >= ${params.add(clampId(filter.lastViolation))}`);
  inList(clauses, params, 'violation_type_entity_id', filter.types);
  const attributes = typeAttributes(filter, params);
  if (attributes !== undefined) clauses.push(attributes);
  inList(clauses, params, 'application_id', filter.applicationIds);
  inList(clauses, params, 'application_version_id', filter.applicationVersionIds);
  inList(clauses, params, 'region', filter.regions);
  inList(clauses, params, 'instance_id', filter.instanceIds);
  for (const [key, value] of filter.meta ?? []) {
    // ->> spells JSON booleans and numbers as their JSON text and yields NULL for JSON null, as the SQLite store
    // compares them.
    clauses.push(`meta_info_object(meta_info) ->> ${params.add(key)} = ${params.add(value)}`);
  }
  return clauses.join(' AND ');
}

/**
 * One page of a filter, with the generation counters on every row. `columns` is what to read of each row: all
 * of them, or only id and version when the row JSON is cached.
 */
export function pageStatement(filter: ViolationFilter, page: PageRequest, columns = VIOLATION_COLUMNS): Statement {
  const params = new Params();
  const where = violationWhere(filter, params);
  const limit = params.add(page.size);
  const offset = params.add(page.page * page.size);
  return {
    text: `SELECT ${columns}, ${GENERATIONS} FROM violation WHERE ${where} ORDER BY ${orderBy(page.sort)} LIMIT ${limit} OFFSET ${offset}`,
    values: params.values,
  };
}

/** The number of violations matching a filter, with the generation counters of the same snapshot. */
export function countStatement(filter: ViolationFilter): Statement {
  const params = new Params();
  const where = violationWhere(filter, params);
  return {
    text: `SELECT (SELECT count(*) FROM violation WHERE ${where}) AS total, ${GENERATIONS}`,
    values: params.values,
  };
}

/** The state and time clauses of the two count endpoints; `from`/`to` strict for one, inclusive for the other. */
function countWhere(f: CountFilter, params: Params, inclusive: boolean): string {
  const clauses = [stateCondition(f.resolved, f.whitelisted)];
  if (f.from !== undefined)
    clauses.push(
      inclusive ? `created >= ${params.add(Math.ceil(f.from))}` : `created > ${params.add(Math.floor(f.from))}`,
    );
  if (f.to !== undefined)
    clauses.push(inclusive ? `created <= ${params.add(Math.floor(f.to))}` : `created < ${params.add(Math.ceil(f.to))}`);
  return clauses.join(' AND ');
}

export function countByAccountAndTypeStatement(accounts: string[] | undefined, f: CountFilter): Statement {
  const params = new Params();
  const clauses = [countWhere(f, params, false)];
  inList(clauses, params, 'account_id', accounts);
  return {
    text: `SELECT account_id AS account, violation_type_entity_id AS type, count(*) AS quantity FROM violation
      WHERE ${clauses.join(' AND ')} GROUP BY account_id, violation_type_entity_id ORDER BY account_id, violation_type_entity_id`,
    values: params.values,
  };
}

export function countByAppVersionAndTypeStatement(account: string, f: CountFilter): Statement {
  const params = new Params();
  const accountParam = params.add(account);
  const where = countWhere(f, params, true);
  return {
    text: `SELECT v.application_id AS application, v.application_version_id AS version, v.violation_type_entity_id AS type,
        count(*) AS quantity FROM violation v WHERE v.account_id = ${accountParam} AND ${where}
        GROUP BY v.application_id, v.application_version_id, v.violation_type_entity_id
        ORDER BY v.application_id ASC NULLS LAST,
          (SELECT created FROM app_version WHERE name = v.application_version_id) DESC NULLS LAST, v.violation_type_entity_id ASC`,
    values: params.values,
  };
}
