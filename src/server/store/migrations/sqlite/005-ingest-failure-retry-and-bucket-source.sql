-- A failed file is read again only when it changes, unless its failure was transient (it could not be fetched:
-- network, permissions). Failures recorded before this column existed are read once more to find out.
ALTER TABLE ingest_failure ADD COLUMN transient INTEGER NOT NULL DEFAULT 1;

-- S3 listings recorded their files under `s3://bucket/prefix`, queue notifications under `s3://bucket`, for the
-- same whole S3 keys: a file reached both ways was read twice. Every S3 file is now recorded under its bucket.
-- Rows that would collide with one already recorded under the bucket are the same file: dropped.
UPDATE OR IGNORE processed_file SET source = substr(source, 1, 4 + instr(substr(source, 6), '/'))
  WHERE source LIKE 's3://%/%';
DELETE FROM processed_file WHERE source LIKE 's3://%/%';
UPDATE OR IGNORE ingest_failure SET source = substr(source, 1, 4 + instr(substr(source, 6), '/'))
  WHERE source LIKE 's3://%/%';
DELETE FROM ingest_failure WHERE source LIKE 's3://%/%';
