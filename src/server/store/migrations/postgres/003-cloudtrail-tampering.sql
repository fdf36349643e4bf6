-- A type this project adds for its CloudTrail ingest: someone stopped, deleted or narrowed the audit trail.
INSERT INTO violation_type
  (id, violation_severity, priority, is_audit_relevant, title, help_text, version, created, created_by, last_modified, last_modified_by)
VALUES
  ('CLOUDTRAIL_TAMPERING', 4, 1, false, 'CloudTrail logging tampered',
   'CloudTrail logging was stopped, deleted or narrowed (StopLogging, DeleteTrail, UpdateTrail or a changed event selector). Without it, nothing in this account is audited: restore the trail and find out who changed it.',
   0, (extract(epoch FROM now()) * 1000)::bigint, 'migration_script', (extract(epoch FROM now()) * 1000)::bigint, 'migration_script');
