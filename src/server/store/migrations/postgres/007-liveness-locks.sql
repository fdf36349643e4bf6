-- The advisory lock (second key; the first is "fsli") that a lease's holder, or a pending evaluation's claimant,
-- keeps on a connection of its own while it lives (postgres-liveness.ts). Once that process's session is gone, so is
-- the lock, and its leases and claims may be taken at once instead of when they expire: a restart after a crash
-- does not wait out the leases of the run it replaces, nor leave the rows it was retrying untouched for minutes.
-- NULL: judged by expiry alone (a process that could not take its lock, or a row written by an older version).
ALTER TABLE ingest_lease ADD COLUMN liveness_lock integer;
ALTER TABLE pending_evaluation ADD COLUMN claimed_lock integer;
