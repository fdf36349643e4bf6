/**
 * Wire types of the fullstop REST API, defined once as TypeBox schemas: the server validates and serialises
 * with them, and the TypeScript types in `violation.ts` are derived from them. Field names are the original
 * Java server's snake_case names (its `ViolationDto` and `RuleDTO`); dates are ISO-8601 UTC strings with milliseconds.
 */
import { Type, type TSchema } from '@sinclair/typebox';

/** A value of `schema`, or null (the original serialises every absent value as null). */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const NullableString = () => Nullable(Type.String());
const Timestamp = () => Nullable(Type.String({ description: 'ISO-8601 UTC, e.g. 2015-04-14T19:09:01.000Z' }));

export const ViolationTypeSchema = Type.Object(
  {
    id: Type.String(),
    help_text: NullableString(),
    violation_severity: Nullable(Type.Integer()),
    audit_relevant: Type.Boolean(),
    title: NullableString(),
    priority: Nullable(Type.Integer()),
    version: Type.Integer(),
    created: Timestamp(),
    created_by: NullableString(),
    last_modified: Timestamp(),
    last_modified_by: NullableString(),
  },
  { $id: 'ViolationType', additionalProperties: false },
);

export const ViolationSchema = Type.Object(
  {
    id: Type.Integer(),
    version: Type.Integer(),
    event_id: NullableString(),
    account_id: NullableString(),
    region: NullableString(),
    meta_info: Type.Unknown({ description: 'whatever JSON the rule stored: an object, a list, a string or null' }),
    comment: NullableString(),
    instance_id: NullableString(),
    plugin_fully_qualified_class_name: NullableString(),
    violation_type: Type.Ref('ViolationType'),
    created: Timestamp(),
    created_by: NullableString(),
    last_modified: Timestamp(),
    last_modified_by: NullableString(),
    username: NullableString(),
    rule_id: Nullable(Type.Integer()),
    application_id: NullableString(),
    application_version_id: NullableString(),
  },
  { $id: 'Violation', additionalProperties: false },
);

export const SortOrderSchema = Type.Object(
  {
    direction: Type.Union([Type.Literal('ASC'), Type.Literal('DESC')]),
    property: Type.String(),
    ignore_case: Type.Boolean(),
    null_handling: Type.String(),
    ascending: Type.Boolean(),
    descending: Type.Boolean(),
  },
  { $id: 'SortOrder', additionalProperties: false },
);

/** The Spring Data page envelope of the original's list endpoints, serialised with snake_case keys. */
export const PageSchema = <T extends TSchema>(item: T) =>
  Type.Object(
    {
      content: Type.Array(item),
      total_elements: Type.Integer(),
      total_pages: Type.Integer(),
      size: Type.Integer(),
      number: Type.Integer(),
      number_of_elements: Type.Integer(),
      first: Type.Boolean(),
      last: Type.Boolean(),
      sort: Type.Array(Type.Ref('SortOrder')),
    },
    { additionalProperties: false },
  );

/** Body of `POST /api/violations` (CreateViolation.java); unknown properties are ignored, as in the original. */
export const CreateViolationSchema = Type.Object(
  {
    event_id: Type.String({ minLength: 1 }),
    account_id: Type.String({ minLength: 1 }),
    region: Type.String({ minLength: 1 }),
    meta_info: Type.Unknown(),
    violation_type: Type.String({ minLength: 1 }),
    instance_id: Type.Optional(NullableString()),
    username: Type.Optional(NullableString()),
    application_id: Type.Optional(NullableString()),
    application_version: Type.Optional(NullableString()),
  },
  { $id: 'CreateViolation' },
);

/** Body of `POST`/`PUT /api/whitelisting-rules` (RuleDTO.java). Note `violation_type` here, `violation_type_entity_id` in the answer. */
export const WhitelistingRuleInputSchema = Type.Object(
  {
    account_id: Type.Optional(NullableString()),
    region: Type.Optional(NullableString()),
    application_id: Type.Optional(NullableString()),
    application_version: Type.Optional(NullableString()),
    image_name: Type.Optional(NullableString()),
    image_owner: Type.Optional(NullableString()),
    reason: Type.String({ minLength: 1 }),
    expiry_date: Type.Optional(
      Nullable(
        Type.String({
          description: 'ISO-8601 date-time or epoch milliseconds, 0001-01-01 to 9999-12-31; default 9999-01-01',
        }),
      ),
    ),
    violation_type: Type.Optional(NullableString()),
    meta_info_json_path: Type.Optional(NullableString()),
    // Integers a JavaScript number holds exactly, so that a stored version comes back as sent.
    version: Type.Optional(
      Nullable(Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER - 1 })),
    ),
  },
  { $id: 'WhitelistingRuleInput' },
);

/** A whitelisting rule as answered (RuleEntity.java). */
export const WhitelistingRuleSchema = Type.Object(
  {
    id: Type.Integer(),
    account_id: NullableString(),
    region: NullableString(),
    application_id: NullableString(),
    application_version: NullableString(),
    image_name: NullableString(),
    image_owner: NullableString(),
    reason: Type.String(),
    expiry_date: Type.String(),
    violation_type_entity_id: NullableString(),
    meta_info_json_path: NullableString(),
    created: Type.String(),
    created_by: Type.String(),
    last_modified: Timestamp(),
    last_modified_by: NullableString(),
    version: Type.Integer(),
  },
  { $id: 'WhitelistingRule', additionalProperties: false },
);

export const CountByAccountAndTypeSchema = Type.Object(
  { account: Type.String(), type: Type.String(), quantity: Type.Integer() },
  { $id: 'CountByAccountAndType', additionalProperties: false },
);

export const CountByAppVersionAndTypeSchema = Type.Object(
  { application: NullableString(), version: NullableString(), type: Type.String(), quantity: Type.Integer() },
  { $id: 'CountByAppVersionAndType', additionalProperties: false },
);

/** Every 4xx/5xx answer of this project's server. */
export const ApiErrorSchema = Type.Object(
  { status: Type.Integer(), error: Type.String(), message: Type.String(), path: Type.String() },
  { $id: 'ApiError' },
);

/** Every schema with an `$id`, for a server to register once so that routes can `$ref` them. */
export const NAMED_SCHEMAS = [
  ViolationTypeSchema,
  ViolationSchema,
  SortOrderSchema,
  CreateViolationSchema,
  WhitelistingRuleInputSchema,
  WhitelistingRuleSchema,
  CountByAccountAndTypeSchema,
  CountByAppVersionAndTypeSchema,
  ApiErrorSchema,
];
