package dev.kvbatch.kv;

import dev.kvbatch.kv.cloudflare.CloudflareKvTarget;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import dev.kvbatch.kv.KvTarget.StoredValue;

/**
 * Bulk reads in pages KV answers: at most 100 keys a request, and fewer when the values
 * of a page total more than KV's 25 MiB per answer, which KV refuses with HTTP 413. A
 * refused page is read again in two halves, down to a single key, which is read on its
 * own ({@code GET /values/{key}}, no size limit beyond the value's).
 *
 * <p>
 * Called on the metered target, so that every request that reaches KV is metered. Not a
 * transaction: a failure in the middle leaves nothing to undo (reads change nothing).
 */
public final class KvReads {

	private KvReads() {
	}

	/**
	 * The live values of the keys, in the order asked; keys KV does not hold are left
	 * out.
	 * @param target the (metered) target
	 * @param keys the keys, any number; repeats are read once
	 * @return the values found
	 */
	public static List<StoredValue> bulkGet(KvTarget target, List<String> keys) {
		List<String> distinct = List.copyOf(new LinkedHashSet<>(keys));
		List<StoredValue> found = new ArrayList<>();
		// Keys per bulk read: the adapter's maximum.
		int page = target.limits().bulkGetKeys();
		for (int from = 0; from < distinct.size(); from += page) {
			read(target, distinct.subList(from, Math.min(distinct.size(), from + page)), found);
		}
		return found;
	}

	private static void read(KvTarget target, List<String> keys, List<StoredValue> found) {
		try {
			found.addAll(target.bulkGet(keys));
		}
		catch (KvAnswerTooLargeException ex) {
			if (keys.size() == 1) {
				target.get(keys.get(0)).ifPresent(found::add);
				return;
			}
			int half = keys.size() / 2;
			read(target, keys.subList(0, half), found);
			read(target, keys.subList(half, keys.size()), found);
		}
	}

}
