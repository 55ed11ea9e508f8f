package dev.kvbatch.kv;

import java.util.List;

/**
 * A bulk write or delete that KV took only in part: some keys were refused for good (they
 * break a limit, or KV answered the request with a refusal), every key not named here was
 * stored (or deleted). Thrown once the whole call has been sent, so the caller can park
 * the refused keys and settle the rest.
 *
 * <p>
 * A {@link Refusal} of one key pins the refusal on that key. A refusal of several keys
 * means KV refused them together (a request refused as a whole, or a refusal naming
 * several keys with one reason): one or more of them is at fault, and sending them again
 * in smaller requests tells which.
 */
public class KvItemsRefusedException extends KvRejectedException {

	private final List<Refusal> refusals;

	private final List<String> notStored;

	public KvItemsRefusedException(List<Refusal> refusals, List<String> notStored) {
		super(message(refusals));
		this.refusals = List.copyOf(refusals);
		this.notStored = List.copyOf(notStored);
	}

	/** What KV refused, and why. */
	public List<Refusal> refusals() {
		return this.refusals;
	}

	/**
	 * Keys KV did not store for a reason worth retrying (reported unsuccessful on a
	 * successful answer), as {@link KvTarget#put} would have returned them.
	 */
	public List<String> notStored() {
		return this.notStored;
	}

	private static String message(List<Refusal> refusals) {
		int keys = refusals.stream().mapToInt((refusal) -> refusal.keys().size()).sum();
		return "KV refused %d key%s: %s".formatted(keys, (keys == 1) ? "" : "s",
				refusals.isEmpty() ? "" : refusals.get(0).reason());
	}

	/**
	 * Keys refused together, and the reason KV (or the pre-send check) gave.
	 *
	 * @param keys the keys, at least one
	 * @param reason one line, naming the limit or quoting KV's answer
	 * @param beforeSending whether the target's own check of KV's limits refused them, so
	 * that they were never sent
	 */
	public record Refusal(List<String> keys, String reason, boolean beforeSending) {

		public Refusal {
			keys = List.copyOf(keys);
		}

	}

}
