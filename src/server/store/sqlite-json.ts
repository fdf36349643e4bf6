/**
 * Violations as JSON text built by SQLite itself: the wire form of the original's `ViolationDto`, byte for byte what
 * `toViolation` + fastify's schema serialiser produce, without creating a JS object per row and cell.
 *
 * Types repeat on every row, so their JSON is built once in JS (`toViolationType`) and kept in a temporary
 * table that the page query looks up. Stored meta info is spliced in, minified by json(), when it is valid JSON,
 * else wrapped as `{"data": text}`, as `parseMetaInfo` does. The store writes it with JSON.stringify, so the bytes
 * match; JSON text from another writer keeps its own spelling of numbers and escapes (`1.0`, `\u00e9`), which
 * JSON.parse + JSON.stringify would have respelt (`1`, `é`): the same values.
 */
import type Database from 'better-sqlite3';
import type { ViolationType } from '../../shared/violation.js';

export const TYPE_JSON_TABLE = 'temp.fullstop_type_json';
/** Fallback for times outside years 0000–9999, which JS spells `-000001-…` or `+010000-…`: `isoDate`'s spelling. */
const ISO_FALLBACK_FUNCTION = 'fullstop_iso_json';
const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');
/** Fallback for a type missing from the table: asks the store, which throws `MissingTypeJsonError` if it has none. */
const TYPE_FALLBACK_FUNCTION = 'fullstop_type_json';

/** A row names a type the store has not loaded yet; the caller reloads its types and asks again. */
export class MissingTypeJsonError extends Error {
  constructor(readonly typeId: string) {
    super(`violation type '${typeId}' not loaded`);
    this.name = 'MissingTypeJsonError';
  }
}

const text = (column: string) => `json_quote(${column})`;
const time = (column: string) =>
  `CASE WHEN ${column} IS NULL THEN 'null' WHEN ${column} BETWEEN ${FIRST_MS} AND ${LAST_MS} ` +
  `THEN strftime('"%Y-%m-%dT%H:%M:%fZ"', ${column} / 1000.0, 'unixepoch') ELSE ${ISO_FALLBACK_FUNCTION}(${column}) END`;

/** The members of a violation in the schema's order, each as an SQL expression yielding its JSON text. */
const MEMBERS: ReadonlyArray<readonly [string, string]> = [
  ['id', 'id'],
  ['version', 'version'],
  ['event_id', text('event_id')],
  ['account_id', text('account_id')],
  ['region', text('region')],
  [
    'meta_info',
    "CASE WHEN meta_info IS NULL THEN 'null' WHEN json_valid(meta_info) THEN json(meta_info) ELSE json_object('data', meta_info) END",
  ],
  ['comment', text('comment')],
  ['instance_id', text('instance_id')],
  ['plugin_fully_qualified_class_name', text('plugin_fully_qualified_class_name')],
  [
    'violation_type',
    `coalesce((SELECT json FROM ${TYPE_JSON_TABLE} WHERE type_id = violation_type_entity_id), ${TYPE_FALLBACK_FUNCTION}(violation_type_entity_id))`,
  ],
  ['created', time('created')],
  ['created_by', text('created_by')],
  ['last_modified', time('last_modified')],
  ['last_modified_by', text('last_modified_by')],
  ['username', text('username')],
  ['rule_id', "coalesce(rule_entity_id, 'null')"],
  ['application_id', text('application_id')],
  ['application_version_id', text('application_version_id')],
];

/** One violation row (columns of `violation`, unqualified) as JSON text; concat() copies once where `||` copies per term. */
export const VIOLATION_JSON = `concat('{', ${MEMBERS.map(([name, sql], i) => `'${i === 0 ? '' : ','}"${name}":', ${sql}`).join(', ')}, '}')`;

/** Creates the connection's type table and both fallbacks; call once per connection. */
export function installJsonSupport(db: Database.Database, types: () => ReadonlyMap<string, ViolationType>): void {
  db.exec(
    `CREATE TEMP TABLE IF NOT EXISTS ${TYPE_JSON_TABLE.replace('temp.', '')} (type_id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID`,
  );
  db.function(ISO_FALLBACK_FUNCTION, { deterministic: true }, (ms: unknown) =>
    JSON.stringify(new Date(Number(ms)).toISOString()),
  );
  db.function(TYPE_FALLBACK_FUNCTION, (id: unknown) => {
    const type = types().get(String(id));
    if (type === undefined) throw new MissingTypeJsonError(String(id));
    return JSON.stringify(type);
  });
}

/** Replaces the connection's type JSON with `types`, serialised exactly as the API answers them. */
export function writeTypeJson(db: Database.Database, types: Iterable<ViolationType>): void {
  const insert = db.prepare(`INSERT INTO ${TYPE_JSON_TABLE} (type_id, json) VALUES (?, ?)`);
  db.prepare(`DELETE FROM ${TYPE_JSON_TABLE}`).run();
  for (const type of types) insert.run(type.id, JSON.stringify(type));
}
