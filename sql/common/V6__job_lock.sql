-- One row per lock a run claims: a run holds its row with SELECT ... FOR UPDATE NOWAIT in a transaction it keeps open
-- until the run ends, so a second run of the same job fails at once, in any process. The database releases the lock
-- when the holder's connection ends, also when its process is killed: no expiry to tune. ingest shares compress's row.
CREATE TABLE IF NOT EXISTS kv_job_lock (
	lock_name VARCHAR(64) NOT NULL,
	CONSTRAINT pk_kv_job_lock PRIMARY KEY (lock_name)
);

INSERT INTO kv_job_lock (lock_name)
SELECT wanted.lock_name FROM (VALUES ('compress'), ('prune'), ('usage-report')) AS wanted (lock_name)
WHERE NOT EXISTS (SELECT 1 FROM kv_job_lock held WHERE held.lock_name = wanted.lock_name);
