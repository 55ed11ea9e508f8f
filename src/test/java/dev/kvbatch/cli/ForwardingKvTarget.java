package dev.kvbatch.cli;

import java.util.List;
import java.util.Optional;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.RequestLimits;
import org.jspecify.annotations.Nullable;

/** A target that passes every call on; tests override the calls they watch or break. */
class ForwardingKvTarget implements KvTarget {

	private final KvTarget delegate;

	ForwardingKvTarget(KvTarget delegate) {
		this.delegate = delegate;
	}

	@Override
	public String name() {
		return this.delegate.name();
	}

	@Override
	public RequestLimits limits() {
		return this.delegate.limits();
	}

	@Override
	public List<String> put(List<PhysicalValue> values) {
		return this.delegate.put(values);
	}

	@Override
	public List<String> delete(List<String> keys) {
		return this.delegate.delete(keys);
	}

	@Override
	public Optional<StoredValue> get(String key) {
		return this.delegate.get(key);
	}

	@Override
	public ListPage list(String prefix, @Nullable String cursor, int limit) {
		return this.delegate.list(prefix, cursor, limit);
	}

}
