-- Application lifecycle records (the original's `lifecycle` table, as its LifecyclePlugin fills it): one per
-- instance of a RunInstances, StartInstances, StopInstances or TerminateInstances event whose application and
-- version are known. Names are stored on the row (the original links application and version rows), times are
-- epoch milliseconds, and event_date keeps its time (the original's DATE column dropped it). event_id is new: an
-- event read twice (the same file under a new fingerprint, a retried evaluation) records its instances once.
CREATE TABLE lifecycle (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  application TEXT NOT NULL,
  application_version TEXT NOT NULL,
  event_type TEXT,
  event_date INTEGER,
  event_id TEXT,
  account_id TEXT,
  region TEXT,
  instance_id TEXT,
  image_id TEXT,
  image_name TEXT,
  instance_boot_time INTEGER,
  userdata_path TEXT,
  created INTEGER NOT NULL,
  created_by TEXT,
  last_modified INTEGER,
  last_modified_by TEXT
);
CREATE UNIQUE INDEX lifecycle_event_idx ON lifecycle (account_id, region, event_id, instance_id)
  WHERE event_id IS NOT NULL;
CREATE INDEX lifecycle_application_idx ON lifecycle (application, application_version, created);

-- Events whose look-ups failed (a registry down, AWS throttling): committed with their file instead of a verdict,
-- and evaluated again with backoff until the look-ups answer. A retrier claims rows for a while (claimed_by,
-- claimed_until) so that of several processes on one database exactly one retries each row.
CREATE TABLE pending_evaluation (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  account_id TEXT NOT NULL,
  region TEXT NOT NULL,
  event TEXT NOT NULL,
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  config_fingerprint TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  retryable INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  created INTEGER NOT NULL,
  claimed_by TEXT,
  claimed_until INTEGER
);
CREATE UNIQUE INDEX pending_evaluation_event_idx ON pending_evaluation (account_id, region, event_id);
CREATE INDEX pending_evaluation_due_idx ON pending_evaluation (next_attempt_at);
