-- Staging straight into PostgreSQL (stage.OutboxStager): kvbatch stage and every API replica write kv_outbox in
-- the database, with no spool folder. {seq} values come from a database sequence, and the idempotency index is a
-- table whose primary key is the unique constraint two replicas racing on one id meet: the loser waits for the
-- winner's commit, then reads the winner's fingerprint and {seq} value. H2 keeps its spool design and has neither.
CREATE SEQUENCE IF NOT EXISTS kv_stage_seq AS BIGINT MINVALUE 1 START WITH 1;

-- id_high / id_low: the first 96 bits of the SHA-256 of the id (stage.IdKey), as the file index keeps them.
CREATE TABLE IF NOT EXISTS kv_stage_id (
	id_high BIGINT NOT NULL,
	id_low INTEGER NOT NULL,
	fingerprint BIGINT NOT NULL,
	seq BIGINT,
	staged_at BIGINT NOT NULL,
	CONSTRAINT pk_kv_stage_id PRIMARY KEY (id_high, id_low)
);
CREATE INDEX IF NOT EXISTS ix_kv_stage_id_staged_at ON kv_stage_id (staged_at);
