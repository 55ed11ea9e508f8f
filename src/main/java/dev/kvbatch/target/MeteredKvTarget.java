package dev.kvbatch.target;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.usage.Ledger;
import dev.kvbatch.usage.Operation;
import org.jspecify.annotations.Nullable;

/**
 * Records every call that reaches the delegate in the ledger: operation, keys, bytes and
 * requests. Keys the target reports as not stored are still billed by KV when the request
 * was sent, so they are counted.
 */
public class MeteredKvTarget implements KvTarget {

	private final KvTarget delegate;

	private final Ledger ledger;

	public MeteredKvTarget(KvTarget delegate, Ledger ledger) {
		this.delegate = delegate;
		this.ledger = ledger;
	}

	@Override
	public String name() {
		return this.delegate.name();
	}

	@Override
	public List<String> put(List<PhysicalValue> values) {
		if (values.isEmpty()) {
			return List.of();
		}
		List<String> failed = this.delegate.put(values);
		long bytes = values.stream().mapToLong((v) -> utf8(v.key()) + utf8(v.value())).sum();
		this.ledger.record(Operation.WRITE, name(), values.size(), bytes, bulkRequests(values.size()));
		return failed;
	}

	@Override
	public List<String> delete(List<String> keys) {
		if (keys.isEmpty()) {
			return List.of();
		}
		List<String> failed = this.delegate.delete(keys);
		this.ledger.record(Operation.DELETE, name(), keys.size(), keys.stream().mapToLong(MeteredKvTarget::utf8).sum(),
				bulkRequests(keys.size()));
		return failed;
	}

	@Override
	public Optional<StoredValue> get(String key) {
		Optional<StoredValue> value = this.delegate.get(key);
		this.ledger.record(Operation.READ, name(), 1, value.map((v) -> utf8(v.value())).orElse(0L), 1);
		return value;
	}

	/** One read per key asked for, found or not; one request per 100 keys. */
	@Override
	public List<StoredValue> bulkGet(List<String> keys) {
		if (keys.isEmpty()) {
			return List.of();
		}
		List<StoredValue> values = this.delegate.bulkGet(keys);
		int requests = (keys.size() + CloudflareKvTarget.MAX_BULK_GET_KEYS - 1) / CloudflareKvTarget.MAX_BULK_GET_KEYS;
		this.ledger.record(Operation.READ, name(), keys.size(), values.stream().mapToLong((v) -> utf8(v.value())).sum(),
				requests);
		return values;
	}

	@Override
	public ListPage list(String prefix, @Nullable String cursor, int limit) {
		ListPage page = this.delegate.list(prefix, cursor, limit);
		// KV bills a list per call, whatever the page holds.
		this.ledger.record(Operation.LIST, name(), 1, 0, 1);
		return page;
	}

	/**
	 * Requests of a bulk write or delete: 10,000 keys each (a Cloudflare write of large
	 * values may take more, split at 100 MB).
	 */
	private static int bulkRequests(int keys) {
		return (keys + KvLimits.MAX_BULK_KEYS - 1) / KvLimits.MAX_BULK_KEYS;
	}

	private static long utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

}
