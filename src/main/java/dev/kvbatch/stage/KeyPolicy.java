package dev.kvbatch.stage;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Rule-specific checks the app adds to staging, for example "this key matches no packing
 * rule" or "a rollup value needs a number". The generic record rules are checked by
 * {@link RecordValidator} before the policy is asked.
 * <p>
 * The policy sees the final key, after {@code {seq}} was replaced, because packing rules
 * match real keys. Implementations must be thread-safe and must not change {@code value}.
 */
@FunctionalInterface
public interface KeyPolicy {

	/** Accepts every record. */
	KeyPolicy NONE = (op, key, value, at) -> {
	};

	/**
	 * Check one record.
	 * @param op put or delete
	 * @param key the final logical key
	 * @param value the value of a put, {@code null} for a delete
	 * @param at the event time
	 * @throws IllegalArgumentException to reject the record; throw a {@link Violation} to
	 * name the field ({@code key} or {@code value}), any other
	 * {@code IllegalArgumentException} is reported against {@code key} with its message
	 * as the reason
	 */
	void check(Op op, String key, @Nullable JsonNode value, Instant at) throws IllegalArgumentException;

	/**
	 * Check that a put of raw bytes (staged with {@code "base64": true}) may go to this
	 * key; asked before {@link #check}, whose value is then the base64 string. This
	 * default accepts every key.
	 * @param key the final logical key
	 * @param at the event time
	 * @throws IllegalArgumentException to reject the record, as {@link #check} does
	 */
	default void checkRaw(String key, Instant at) throws IllegalArgumentException {
	}

	/**
	 * A record that breaks a rule of the policy. The reason is shown to the producer
	 * after {@code field <field>: }, so it should read like "matches no packing rule".
	 */
	final class Violation extends IllegalArgumentException {

		private static final long serialVersionUID = 1L;

		private final String field;

		private final String reason;

		/**
		 * @param field the offending field, normally {@code key} or {@code value}
		 * @param reason why, in words a producer can act on
		 */
		public Violation(String field, String reason) {
			super(reason);
			this.field = field;
			this.reason = reason;
		}

		public String field() {
			return this.field;
		}

		public String reason() {
			return this.reason;
		}

	}

}
