-- The advisory lock (second key; the first is "fsli") that the lease's holder keeps on a connection of its own while
-- it lives (postgres-liveness.ts). Once the holder's session is gone, so is the lock, and its leases may be taken at
-- once instead of when they expire: a restart after a crash does not wait out the leases of the run it replaces.
-- NULL: judged by expiry alone (a holder that could not take its lock, or a lease written by an older version).
ALTER TABLE ingest_lease ADD COLUMN liveness_lock integer;
