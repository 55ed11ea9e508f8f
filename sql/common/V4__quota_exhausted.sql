-- Operation kinds KV refused for the rest of a UTC day (free-plan quota spent, error 10048): nothing of that kind is
-- sent again until the day changes. The keys stay dirty.
CREATE TABLE IF NOT EXISTS kv_quota_exhausted (
	usage_day DATE NOT NULL,
	target VARCHAR(16) NOT NULL,
	operation VARCHAR(8) NOT NULL,
	recorded_at BIGINT NOT NULL,
	CONSTRAINT pk_kv_quota_exhausted PRIMARY KEY (usage_day, target, operation)
);
