package dev.kvbatch.kv;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

import dev.kvbatch.pack.KvLimits;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.pack.RawBytes;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;

/**
 * Records every call that reaches the delegate in the ledger, ahead of it: a call is
 * recorded as in flight (committed, on disk) before it is sent, and settled with what KV
 * billed when the answer comes ({@link Ledger#begin}, {@link Ledger#settle}). Keys the
 * target reports as not stored are still billed by KV when the request was sent, so they
 * are counted. A call KV refused (quota spent, credentials, a bad request) is settled as
 * not billed; a call that got no answer (retries ran out, the process died) stays in
 * flight and counts as spent, as KV may have carried it out.
 *
 * <p>
 * Every request to KV must pass through here, so anything that splits or repeats calls
 * (bisection of a refused bulk request, say) belongs above it.
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
	public RequestLimits limits() {
		return this.delegate.limits();
	}

	@Override
	public List<String> put(List<PhysicalValue> values) {
		if (values.isEmpty()) {
			return List.of();
		}
		long bytes = values.stream().mapToLong((v) -> utf8(v.key()) + v.byteLength()).sum();
		return metered(Operation.WRITE, values.size(), bytes, bulkRequests(values.size()),
				() -> this.delegate.put(values), (failed) -> bytes);
	}

	@Override
	public List<String> delete(List<String> keys) {
		if (keys.isEmpty()) {
			return List.of();
		}
		long bytes = keys.stream().mapToLong(MeteredKvTarget::utf8).sum();
		return metered(Operation.DELETE, keys.size(), bytes, bulkRequests(keys.size()),
				() -> this.delegate.delete(keys), (failed) -> bytes);
	}

	@Override
	public Optional<StoredValue> get(String key) {
		return metered(Operation.READ, 1, 0, 1, () -> this.delegate.get(key),
				(value) -> value.map(MeteredKvTarget::length).orElse(0L));
	}

	/** One read per key asked for, found or not; requests as the target splits them. */
	@Override
	public List<StoredValue> bulkGet(List<String> keys) {
		if (keys.isEmpty()) {
			return List.of();
		}
		int requests = limits().bulkGetRequests(keys.size());
		return metered(Operation.READ, keys.size(), 0, requests, () -> this.delegate.bulkGet(keys),
				(values) -> values.stream().mapToLong(MeteredKvTarget::length).sum());
	}

	/** KV bills a list per call, whatever the page holds. */
	@Override
	public ListPage list(String prefix, @Nullable String cursor, int limit) {
		return metered(Operation.LIST, 1, 0, 1, () -> this.delegate.list(prefix, cursor, limit), (page) -> 0L);
	}

	/**
	 * Sends one call between its ledger records.
	 * @param keys the billed operations the call carries
	 * @param bytes what the ledger says was sent until the answer tells
	 * @param bytesOf the bytes of the answer's call
	 */
	private <T> T metered(Operation operation, long keys, long bytes, int requests, Supplier<T> call,
			ToLongFunction<T> bytesOf) {
		long entry = this.ledger.begin(operation, name(), keys, bytes, requests);
		T answer;
		try {
			answer = call.get();
		}
		catch (KvQuotaExceededException | KvAuthException | KvRejectedException ex) {
			// KV answered, and did nothing: nothing billed.
			this.ledger.settle(entry, 0, 0);
			throw ex;
		}
		this.ledger.settle(entry, keys, bytesOf.applyAsLong(answer));
		return answer;
	}

	/**
	 * Requests of a bulk write or delete, as the target splits them (a Cloudflare write
	 * of large values may take more, split at 100 MB).
	 */
	private int bulkRequests(int keys) {
		return limits().bulkRequests(keys);
	}

	/** UTF-8 bytes of a text, counted without encoding it (a lone surrogate as one). */
	/** The bytes of a value read. */
	private static long length(KvTarget.StoredValue value) {
		return value.base64() ? RawBytes.decodedLength(value.value()) : utf8(value.value());
	}

	static long utf8(String text) {
		return KvLimits.utf8Length(text);
	}

}
