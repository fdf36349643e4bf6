-- A failed file is read again only when it changes, unless its failure was transient (it could not be fetched:
-- network, permissions). Failures recorded before this column existed are read once more to find out.
ALTER TABLE ingest_failure ADD COLUMN transient boolean NOT NULL DEFAULT true;
