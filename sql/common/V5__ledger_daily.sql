-- The ledger rolled up to one row per UTC day, target and operation, kept for the report's history after the
-- per-call detail is trimmed.
CREATE TABLE IF NOT EXISTS kv_ledger_daily (
	usage_day DATE NOT NULL,
	target VARCHAR(16) NOT NULL,
	operation VARCHAR(8) NOT NULL,
	keys BIGINT NOT NULL,
	bytes BIGINT NOT NULL,
	requests BIGINT NOT NULL,
	CONSTRAINT pk_kv_ledger_daily PRIMARY KEY (usage_day, target, operation)
);
