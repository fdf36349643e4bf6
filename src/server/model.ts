/** What a rule, a job or `POST /api/violations` hands to the store: a violation before it is stored. */
export interface ViolationDraft {
  /** CloudTrail eventID (or a caller-chosen id); with account, region, type and instance id it identifies a violation. */
  eventId: string;
  accountId: string;
  region: string;
  /** Violation type id, e.g. `WRONG_REGION`; unknown ids are created on insert, as the original's persister does. */
  type: string;
  instanceId?: string | null;
  /** Stored as JSON text and returned exactly as given; keys are not renamed. */
  metaInfo?: unknown;
  /** CloudTrail `userIdentity.arn`. */
  username?: string | null;
  /** Application name and version name (the original's `application_id` / `application_version_id`). */
  applicationId?: string | null;
  applicationVersion?: string | null;
  /** Which rule produced it; served as `plugin_fully_qualified_class_name`. */
  pluginName?: string | null;
}

/** One processed input file: its identity and what was read from it. */
export interface ProcessedFile {
  /** The source the file came from, e.g. `file:///var/logs`, `s3://bucket/prefix`, `sqs://…`. */
  source: string;
  /** Path relative to the source, or the S3 key. */
  key: string;
  /** ETag, or size and mtime: a file whose fingerprint changed is processed again. */
  fingerprint: string;
  records: number;
  badRecords: number;
}

export interface IngestFailure {
  source: string;
  key: string;
  fingerprint: string;
  reason: string;
  /** ISO-8601 UTC. */
  at: string;
}

export interface InsertResult {
  inserted: number;
  duplicates: number;
}

/**
 * Filter of `GET /api/violations` as the original server reads it, plus this server's additions. Time bounds are
 * epoch milliseconds and may carry a fraction (the CLI sends microseconds), so strict bounds stay exact.
 */
export interface ViolationFilter {
  accounts?: string[];
  /** `created > createdAfter` (strict, the original's `from`). */
  createdAfter?: number;
  /** `created < createdBefore` (strict, the original's `to`; the API layer defaults it to now). */
  createdBefore?: number;
  /** `id >= lastViolation` (inclusive, as the original). */
  lastViolation?: number;
  /** Tri-state: whitelisted wins over checked; neither means open. */
  checked?: boolean;
  whitelisted?: boolean;
  severity?: number;
  minSeverity?: number;
  priority?: number;
  auditRelevant?: boolean;
  /** Violation type ids (`types` and `type` merged). */
  types?: string[];
  applicationIds?: string[];
  applicationVersionIds?: string[];
  regions?: string[];
  instanceIds?: string[];
  /** `[key, value]` pairs; every one must equal a key of an object `meta_info`. */
  meta?: Array<[string, string]>;
}

/** Entity property names the list can be sorted by, as the original's Spring Data `sort` parameter names them. */
export const SORTABLE_PROPERTIES = [
  'id',
  'version',
  'created',
  'createdBy',
  'lastModified',
  'lastModifiedBy',
  'eventId',
  'accountId',
  'region',
  'instanceId',
  'comment',
  'pluginFullyQualifiedClassName',
  'username',
  'violationTypeEntity.id',
  'ruleEntity.id',
  'application.name',
  'applicationVersion.name',
] as const;
export type SortProperty = (typeof SORTABLE_PROPERTIES)[number];

export interface SortSpec {
  property: SortProperty;
  direction: 'ASC' | 'DESC';
}

export interface PageRequest {
  /** 0-based. */
  page: number;
  size: number;
  /** Never empty: the API layer applies the default `id ASC`. */
  sort: SortSpec[];
}

export interface PageResult<T> {
  content: T[];
  total: number;
}

/** Filter of the two count endpoints; `resolved` plays the role of `checked`. */
export interface CountFilter {
  /** Bounds in epoch ms; strict for the per-account-and-type count, inclusive for the per-account one. */
  from?: number;
  to?: number;
  resolved?: boolean;
  whitelisted?: boolean;
}

/** A whitelisting rule to create (from the original's `RuleDTO` body). */
export interface WhitelistingRuleDraft {
  accountId?: string | null;
  region?: string | null;
  applicationId?: string | null;
  applicationVersion?: string | null;
  imageName?: string | null;
  imageOwner?: string | null;
  reason: string;
  /** Epoch ms; null means `9999-01-01T00:00:00Z`, as the original. */
  expiryDate?: number | null;
  violationType?: string | null;
  metaInfoJsonPath?: string | null;
  version?: number | null;
}

export type ExpireWhitelistingRuleResult = 'expired' | 'not-found' | 'in-past';
