-- A type this project adds for its CloudTrail ingest: someone stopped, deleted or narrowed the audit trail.
INSERT INTO violation_type
  (id, violation_severity, priority, is_audit_relevant, title, help_text, version, created, created_by, last_modified, last_modified_by)
VALUES
  ('CLOUDTRAIL_TAMPERING', 4, 1, 0, 'CloudTrail logging tampered',
   'CloudTrail logging was stopped, deleted or narrowed (StopLogging, DeleteTrail, UpdateTrail or a changed event selector). Without it, nothing in this account is audited: restore the trail and find out who changed it.',
   0, CAST(unixepoch('subsec') * 1000 AS INTEGER), 'migration_script', CAST(unixepoch('subsec') * 1000 AS INTEGER), 'migration_script');
