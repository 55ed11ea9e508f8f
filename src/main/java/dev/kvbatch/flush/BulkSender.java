package dev.kvbatch.flush;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

import dev.kvbatch.kv.KvItemsRefusedException;
import dev.kvbatch.kv.KvRejectedException;

/**
 * Sends a bulk write or delete and isolates what KV refuses, so that one bad item never
 * keeps the others out: keys refused one by one are reported with their reason; keys
 * refused together (a request refused as a whole) are sent again in two halves, and so on
 * down to single keys, which KV then refuses or stores alone. A refused half of {@code n}
 * keys costs at most about {@code 2 log2 n} more requests.
 *
 * <p>
 * Every request goes through the given call, which is the metered target's, so each is
 * metered. A resend waits for the day's budget: what it cannot afford is deferred. When
 * KV refuses every key of a call alone with the same answer, the fault is the request's
 * (a route, a namespace), not the keys': nothing is reported refused and the call fails
 * instead, so no key is parked for it. Not thread-safe; each call stands alone.
 */
public final class BulkSender {

	private BulkSender() {
	}

	/**
	 * Sends the items.
	 * @param items the items of one bulk call, each with its own key
	 * @param keyOf an item's key
	 * @param call the bulk call ({@code KvTarget::put} or {@code KvTarget::delete})
	 * @param budget how many more items of this kind may be sent today (asked before each
	 * resend; the first call is the caller's to fit)
	 * @return what became of the keys; keys in none of its sets were stored
	 * @throws KvRejectedException if KV refused every key alone with the same answer
	 */
	public static <T> Sent send(List<T> items, Function<T, String> keyOf, Function<List<T>, List<String>> call,
			LongSupplier budget) {
		Map<String, T> byKey = new LinkedHashMap<>();
		items.forEach((item) -> byKey.put(keyOf.apply(item), item));
		Set<String> notStored = new HashSet<>();
		Map<String, String> refused = new LinkedHashMap<>();
		Set<String> deferred = new HashSet<>();
		Set<String> refusedByKv = new HashSet<>();
		Deque<List<T>> work = new ArrayDeque<>();
		work.add(items);
		boolean first = true;
		while (!work.isEmpty()) {
			List<T> batch = work.poll();
			if (!first) {
				long allowed = budget.getAsLong();
				if (allowed < batch.size()) {
					batch.subList((int) Math.max(0, allowed), batch.size())
						.forEach((item) -> deferred.add(keyOf.apply(item)));
					batch = batch.subList(0, (int) Math.max(0, allowed));
					if (batch.isEmpty()) {
						continue;
					}
				}
			}
			first = false;
			try {
				notStored.addAll(call.apply(batch));
			}
			catch (KvItemsRefusedException ex) {
				notStored.addAll(ex.notStored());
				List<List<T>> halves = new ArrayList<>();
				for (KvItemsRefusedException.Refusal refusal : ex.refusals()) {
					if (refusal.keys().size() == 1) {
						String key = refusal.keys().get(0);
						refused.put(key, refusal.reason());
						if (!refusal.beforeSending()) {
							refusedByKv.add(key);
						}
					}
					else {
						List<T> together = refusal.keys().stream().map(byKey::get).toList();
						int half = together.size() / 2;
						halves.add(together.subList(0, half));
						halves.add(together.subList(half, together.size()));
					}
				}
				// Depth first, in order: the halves of this batch before the batches
				// still waiting.
				for (int i = halves.size() - 1; i >= 0; i--) {
					work.addFirst(halves.get(i));
				}
			}
		}
		if (items.size() > 1 && refusedByKv.size() == items.size()
				&& refused.values().stream().distinct().count() == 1) {
			throw new KvRejectedException("KV refused each of the " + items.size()
					+ " keys of a bulk call alone, all with the same answer, which points at the request rather than"
					+ " the keys; none was set aside: " + refused.values().iterator().next());
		}
		return new Sent(notStored, refused, deferred);
	}

	/**
	 * What became of a call's keys.
	 *
	 * @param notStored keys KV did not take this time (worth retrying)
	 * @param refused keys KV refused for good, with the reason
	 * @param deferred keys not sent because today's budget ran out during the resends
	 */
	public record Sent(Set<String> notStored, Map<String, String> refused, Set<String> deferred) {
	}

}
