-- How far the migrate job has listed the legacy keys of each rule: the page cursor it was reading and the last key
-- it loaded, moved in the same transaction as the loaded chunk, so the next run (or a restart) lists from there.
CREATE TABLE IF NOT EXISTS kv_migration (
	rule VARCHAR(64) PRIMARY KEY,
	list_cursor VARCHAR(1024),
	last_key VARCHAR(512) NOT NULL
);

-- Logical keys the migrate job loaded from legacy keys of the same name: what verify compares. verified_at is when
-- verify last found the packed entry equal to the legacy value (null: never, or it differed); legacy_deleted_at is
-- when `run migrate delete-legacy=true` deleted the legacy key, which it does only to verified keys.
CREATE TABLE IF NOT EXISTS kv_migrated (
	logical_key VARCHAR(512) PRIMARY KEY,
	rule VARCHAR(64) NOT NULL,
	migrated_at BIGINT NOT NULL,
	verified_at BIGINT,
	legacy_deleted_at BIGINT
);
