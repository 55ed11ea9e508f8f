package dev.kvbatch.stage;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A validated staging record, normalised: {@code {seq}} is replaced, a TTL is turned into
 * an absolute expiration and the event time is filled in. This is what the spool folder
 * and the outbox hold.
 *
 * @param op put or delete
 * @param key the logical key, 1–512 UTF-8 bytes
 * @param valueJson the value as JSON text; {@code null} for a delete; when
 * {@code base64}, a JSON string of the base64 of the value's raw bytes
 * ({@link dev.kvbatch.pack.RawBytes})
 * @param expiresAt absolute expiration in epoch seconds; {@code null} for never
 * @param at the event time
 * @param id the producer's idempotency id, or {@code null}
 * @param kind upload or change
 * @param seq the sequence value allocated for a {@code {seq}} key, or {@code null}
 * @param stagedAt when the record was staged
 * @param base64 whether the value is raw bytes (staged with {@code "base64": true}),
 * which a direct key writes to KV as they are
 */
public record StagedRecord(Op op, String key, @Nullable String valueJson, @Nullable Long expiresAt, Instant at,
		@Nullable String id, Kind kind, @Nullable Long seq, Instant stagedAt, boolean base64) {

	/** A record whose value, if any, is JSON. */
	public StagedRecord(Op op, String key, @Nullable String valueJson, @Nullable Long expiresAt, Instant at,
			@Nullable String id, Kind kind, @Nullable Long seq, Instant stagedAt) {
		this(op, key, valueJson, expiresAt, at, id, kind, seq, stagedAt, false);
	}

	/** This record with its final key and the sequence value it took. */
	public StagedRecord withKey(String finalKey, @Nullable Long seqValue) {
		return new StagedRecord(this.op, finalKey, this.valueJson, this.expiresAt, this.at, this.id, this.kind,
				seqValue, this.stagedAt, this.base64);
	}

}
