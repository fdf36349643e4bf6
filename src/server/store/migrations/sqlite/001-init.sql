-- Schema of the original's fullstop_data, with times as epoch milliseconds (UTC) and the
-- application and version names stored on the violation (the original links them through id tables).
CREATE TABLE violation_type (
  id TEXT PRIMARY KEY,
  help_text TEXT,
  violation_severity INTEGER,
  is_audit_relevant INTEGER NOT NULL DEFAULT 0,
  title TEXT,
  priority INTEGER DEFAULT 4,
  version INTEGER NOT NULL DEFAULT 0,
  created INTEGER,
  created_by TEXT,
  last_modified INTEGER,
  last_modified_by TEXT
);

CREATE TABLE rule (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT,
  region TEXT,
  application_id TEXT,
  application_version TEXT,
  image_name TEXT,
  image_owner TEXT,
  reason TEXT NOT NULL,
  expiry_date INTEGER NOT NULL,
  violation_type_entity_id TEXT REFERENCES violation_type (id),
  meta_info_json_path TEXT,
  created INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  last_modified INTEGER,
  last_modified_by TEXT,
  version INTEGER NOT NULL DEFAULT 0
);

-- Versions keep their first-seen time: the per-account count orders by it.
CREATE TABLE app_version (
  name TEXT PRIMARY KEY,
  created INTEGER NOT NULL
);

CREATE TABLE violation (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  version INTEGER NOT NULL DEFAULT 0,
  event_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  instance_id TEXT,
  meta_info TEXT,
  comment TEXT,
  plugin_fully_qualified_class_name TEXT,
  violation_type_entity_id TEXT NOT NULL REFERENCES violation_type (id),
  created INTEGER NOT NULL,
  created_by TEXT,
  last_modified INTEGER,
  last_modified_by TEXT,
  username TEXT,
  rule_entity_id INTEGER REFERENCES rule (id),
  application_id TEXT,
  application_version_id TEXT
);

-- The original's dedup: one violation per account, region, event id, type and instance id (null-safe).
CREATE UNIQUE INDEX unique_violation
  ON violation (account_id, region, event_id, violation_type_entity_id, instance_id) WHERE instance_id IS NOT NULL;
CREATE UNIQUE INDEX unique_violation_instance_null
  ON violation (account_id, region, event_id, violation_type_entity_id) WHERE instance_id IS NULL;

-- The default listing is "open" (no comment, no rule), newest first: these partial indexes serve it, by
-- account and by type, and keep its count to the open rows.
CREATE INDEX violation_open_idx ON violation (id) WHERE comment IS NULL AND rule_entity_id IS NULL;
CREATE INDEX violation_open_account_idx ON violation (account_id, id) WHERE comment IS NULL AND rule_entity_id IS NULL;
CREATE INDEX violation_open_type_idx ON violation (violation_type_entity_id, id) WHERE comment IS NULL AND rule_entity_id IS NULL;
CREATE INDEX violation_resolved_idx ON violation (account_id, id) WHERE rule_entity_id IS NULL AND comment IS NOT NULL;
CREATE INDEX violation_whitelisted_idx ON violation (rule_entity_id) WHERE rule_entity_id IS NOT NULL;
CREATE INDEX violation_created_idx ON violation (created);
CREATE INDEX violation_instance_id_idx ON violation (instance_id);

CREATE TABLE processed_file (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  records INTEGER NOT NULL,
  bad_records INTEGER NOT NULL,
  processed_at INTEGER NOT NULL,
  PRIMARY KEY (source, key, fingerprint)
);

CREATE TABLE ingest_failure (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (source, key)
);
