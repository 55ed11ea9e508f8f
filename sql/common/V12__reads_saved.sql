-- KV reads the HTTP API answered from kvbatch's own state, per UTC day: reads KV neither served nor billed, for the
-- usage report's "KV reads saved". serve counts them in memory and adds them here about once a second, so a read
-- costs no database write; a kill -9 loses at most the last second's count, never a staged write.
CREATE TABLE IF NOT EXISTS kv_reads_saved_daily (
	usage_day DATE NOT NULL,
	saved BIGINT NOT NULL,
	CONSTRAINT pk_kv_reads_saved_daily PRIMARY KEY (usage_day)
);
