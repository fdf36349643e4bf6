-- Which server replica is reading which listed object (see postgres-leases.ts). A replica claims objects here
-- before reading them, so replicas ingesting the same prefix split the work; the row goes when the file commits
-- (in the commit's transaction) or its failure is recorded. A replica that dies stops renewing its leases, and
-- once `expires_at` (the database's clock) has passed, another replica may claim the object.
CREATE TABLE ingest_lease (
  source text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  owner text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (source, key)
);
CREATE INDEX ingest_lease_owner_idx ON ingest_lease (owner);
