/** What a rule, a job or `POST /api/violations` hands to the store: a violation before it is stored. */
export interface ViolationDraft {
  /** CloudTrail eventID (or a caller-chosen id); with account, region, type and instance id it identifies a violation. */
  eventId: string;
  accountId: string;
  region: string;
  /** Violation type id, e.g. `WRONG_REGION`; unknown ids are created on insert (fullstop-api.md §3). */
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
