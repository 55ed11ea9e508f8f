package dev.kvbatch.target;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

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
		this.ledger.record(Operation.WRITE, name(), values.size(), bytes, 1);
		return failed;
	}

	@Override
	public List<String> delete(List<String> keys) {
		if (keys.isEmpty()) {
			return List.of();
		}
		List<String> failed = this.delegate.delete(keys);
		this.ledger.record(Operation.DELETE, name(), keys.size(), keys.stream().mapToLong(MeteredKvTarget::utf8).sum(),
				1);
		return failed;
	}

	@Override
	public Optional<StoredValue> get(String key) {
		Optional<StoredValue> value = this.delegate.get(key);
		this.ledger.record(Operation.READ, name(), 1, value.map((v) -> utf8(v.value())).orElse(0L), 1);
		return value;
	}

	@Override
	public ListPage list(String prefix, @Nullable String cursor, int limit) {
		ListPage page = this.delegate.list(prefix, cursor, limit);
		// KV bills a list per call, whatever the page holds.
		this.ledger.record(Operation.LIST, name(), 1, 0, 1);
		return page;
	}

	private static long utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8).length;
	}

}
