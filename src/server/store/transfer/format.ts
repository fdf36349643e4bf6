/**
 * The export format of `fullstop export` / `fullstop import`: NDJSON, one JSON object a line, each tagged by
 * `kind`. The first line is a header, the last a trailer with the number of records of each kind, so an import can
 * tell a complete export from a truncated one. Records are the stores' rows column for column (times in epoch
 * milliseconds, UTC), in an order an import can apply line by line: types, rules, versions, violations, lifecycle
 * records, files, failures and pending evaluations. Exports without the last kinds (older versions) import as they
 * are.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

export const FORMAT = 'fullstop-export';
export const FORMAT_VERSION = 1;

/** A column's JSON type; `!` marks NOT NULL. */
export type ColumnType = 'text' | 'text!' | 'int' | 'int!' | 'bool!';

export interface TableSpec {
  /** Primary key columns: export order, and what makes a record "already there" on import. */
  key: readonly string[];
  columns: Readonly<Record<string, ColumnType>>;
  /** Types are upserted: every store seeds the catalogue itself, and the export's rows are the ones to keep. */
  upsert?: boolean;
}

/** Every table that is copied, in export (and dependency) order. */
export const TABLES = {
  violation_type: {
    key: ['id'],
    upsert: true,
    columns: {
      id: 'text!',
      help_text: 'text',
      violation_severity: 'int',
      is_audit_relevant: 'bool!',
      title: 'text',
      priority: 'int',
      version: 'int!',
      created: 'int',
      created_by: 'text',
      last_modified: 'int',
      last_modified_by: 'text',
    },
  },
  rule: {
    key: ['id'],
    columns: {
      id: 'int!',
      account_id: 'text',
      region: 'text',
      application_id: 'text',
      application_version: 'text',
      image_name: 'text',
      image_owner: 'text',
      reason: 'text!',
      expiry_date: 'int!',
      violation_type_entity_id: 'text',
      meta_info_json_path: 'text',
      created: 'int!',
      created_by: 'text!',
      last_modified: 'int',
      last_modified_by: 'text',
      version: 'int!',
    },
  },
  app_version: { key: ['name'], columns: { name: 'text!', created: 'int!' } },
  violation: {
    key: ['id'],
    columns: {
      id: 'int!',
      version: 'int!',
      event_id: 'text!',
      account_id: 'text!',
      region: 'text!',
      instance_id: 'text',
      meta_info: 'text',
      comment: 'text',
      plugin_fully_qualified_class_name: 'text',
      violation_type_entity_id: 'text!',
      created: 'int!',
      created_by: 'text',
      last_modified: 'int',
      last_modified_by: 'text',
      username: 'text',
      rule_entity_id: 'int',
      application_id: 'text',
      application_version_id: 'text',
    },
  },
  lifecycle: {
    key: ['id'],
    columns: {
      id: 'int!',
      application: 'text!',
      application_version: 'text!',
      event_type: 'text',
      event_date: 'int',
      event_id: 'text',
      account_id: 'text',
      region: 'text',
      instance_id: 'text',
      image_id: 'text',
      image_name: 'text',
      instance_boot_time: 'int',
      userdata_path: 'text',
      created: 'int!',
      created_by: 'text',
      last_modified: 'int',
      last_modified_by: 'text',
    },
  },
  processed_file: {
    key: ['source', 'key', 'fingerprint'],
    columns: {
      source: 'text!',
      key: 'text!',
      fingerprint: 'text!',
      records: 'int!',
      bad_records: 'int!',
      processed_at: 'int!',
    },
  },
  ingest_failure: {
    key: ['source', 'key'],
    columns: { source: 'text!', key: 'text!', fingerprint: 'text!', reason: 'text!', at: 'int!', transient: 'bool!' },
  },
  // A claim (claimed_by, claimed_until) belongs to a running retrier of the old store: not copied.
  pending_evaluation: {
    key: ['id'],
    columns: {
      id: 'int!',
      event_id: 'text!',
      account_id: 'text!',
      region: 'text!',
      event: 'text!',
      source: 'text!',
      key: 'text!',
      config_fingerprint: 'text!',
      attempts: 'int!',
      last_error: 'text!',
      retryable: 'bool!',
      next_attempt_at: 'int!',
      created: 'int!',
    },
  },
} satisfies Record<string, TableSpec>;

export type Kind = keyof typeof TABLES;
export const KINDS = Object.keys(TABLES) as Kind[];

/** A row of one table, tagged with its kind. */
export type TransferRecord = { kind: Kind } & Record<string, string | number | boolean | null>;

export interface Header {
  kind: typeof FORMAT;
  format_version: number;
  exported_at: string;
  /** The store it came from: `sqlite` or `postgres`. */
  store: string;
}

export interface Trailer {
  kind: 'end';
  counts: Record<Kind, number>;
}

export type Counts = Record<Kind, number>;
export const zeroCounts = (): Counts => Object.fromEntries(KINDS.map((kind) => [kind, 0])) as Counts;

function columnSchema(type: ColumnType): TSchema {
  // Integers beyond 2^53 would not survive JSON.parse exactly: refused rather than silently rounded.
  const base = type.startsWith('text')
    ? Type.String()
    : type.startsWith('int')
      ? Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER })
      : Type.Boolean();
  return type.endsWith('!') ? base : Type.Union([base, Type.Null()]);
}

function recordSchema(kind: Kind): TObject {
  const columns = TABLES[kind].columns as Record<string, ColumnType>;
  return Type.Object(
    {
      kind: Type.Literal(kind),
      ...Object.fromEntries(Object.entries(columns).map(([name, type]) => [name, columnSchema(type)])),
    },
    { additionalProperties: false },
  );
}

const checks = new Map<Kind, TypeCheck<TObject>>();

/** Why `value` is not a valid record of `kind`, or undefined when it is. */
export function recordProblem(kind: Kind, value: unknown): string | undefined {
  let check = checks.get(kind);
  if (check === undefined) {
    check = TypeCompiler.Compile(recordSchema(kind));
    checks.set(kind, check);
  }
  if (check.Check(value)) return undefined;
  const error = check.Errors(value).First();
  const field = error?.path.replace(/^\//, '') || kind;
  return `${kind} record: ${field}: ${error?.message ?? 'invalid'}`;
}
