-- What an operator did with a dead letter (`kvbatch dead-letters restage` / `resolve`). A letter is never deleted for
-- it, only marked, so its line, field and reason stay until retention: restaged_at/restaged_to say when it was staged
-- again and into which spool file; resolved_at/resolution say when it was marked handled and how.
ALTER TABLE kv_dead_letter ADD COLUMN IF NOT EXISTS restaged_at BIGINT;
ALTER TABLE kv_dead_letter ADD COLUMN IF NOT EXISTS restaged_to VARCHAR(255);
ALTER TABLE kv_dead_letter ADD COLUMN IF NOT EXISTS resolved_at BIGINT;
ALTER TABLE kv_dead_letter ADD COLUMN IF NOT EXISTS resolution VARCHAR(1000);
