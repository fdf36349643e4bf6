-- Which server replica is reading which listed object (see postgres-leases.ts). A replica claims objects here
-- before reading them, so replicas ingesting the same prefix split the work; the row goes when the file commits
-- (in the commit's transaction) or its failure is recorded. A replica that dies stops renewing its leases, and
-- once `expires_at` (the database's clock) has passed, another replica may claim the object.
-- Unlogged: leases are soft state, so claiming writes no WAL and waits for no flush. After a database crash (or on
-- a promoted standby) the table starts empty, and the worst that follows is a file read twice: the commit's
-- processed_file claim still counts it once.
CREATE UNLOGGED TABLE ingest_lease (
  source text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (source, key)
);
-- No index on owner: every statement names its keys and is planned as one primary-key probe per key (see
-- postgres-leases.ts); an owner index would tempt the planner into scanning every lease an owner ever had.
