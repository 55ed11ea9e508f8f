package dev.kvbatch.api;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.kvbatch.stage.Outbox;
import dev.kvbatch.store.Cursors;
import dev.kvbatch.store.LogicalStore;

import org.jspecify.annotations.Nullable;

/**
 * What a read answers: the newest staged state of a logical key, from the newest place
 * that holds it. In order: a spool file not yet ingested ({@link PendingSpool}), an
 * outbox row compress has not applied yet, the logical store. Read-only; thread-safe.
 * <p>
 * The outbox cursor is read before the outbox rows: a compress that applies a row between
 * the two reads leaves the row above the cursor read, so the row is still found; one that
 * applied it before leaves it in the logical store.
 */
final class LocalState {

	private final Outbox outbox;

	private final LogicalStore store;

	private final Cursors cursors;

	private final PendingSpool pending;

	private final Clock clock;

	private final PackedReads packed;

	LocalState(Outbox outbox, LogicalStore store, Cursors cursors, PendingSpool pending, PackedReads packed,
			Clock clock) {
		this.outbox = outbox;
		this.store = store;
		this.cursors = cursors;
		this.pending = pending;
		this.packed = packed;
		this.clock = clock;
	}

	/**
	 * What a read of {@code key} answers: the logical key's newest staged state or, for a
	 * key no logical key is named like, the physical key's value as compress will write
	 * it; {@code null} when kvbatch has never seen the key.
	 */
	PendingSpool.@Nullable State read(String key) throws IOException {
		PendingSpool.State state = find(key);
		if (state == null) {
			state = this.packed.find(key, applied(), this::find);
		}
		return state;
	}

	/**
	 * The newest staged state of {@code key}: its value, or deleted (also when expired);
	 * {@code null} when kvbatch has never seen the key.
	 */
	PendingSpool.@Nullable State find(String key) throws IOException {
		PendingSpool.State state = this.pending.find(key);
		if (state == null) {
			Outbox.Newest newest = this.outbox.newestAfter(applied(), key);
			if (newest != null) {
				state = newest.delete() ? PendingSpool.State.DELETED
						: new PendingSpool.State(Objects.requireNonNull(newest.valueJson(), "a put's value"),
								newest.expiresAt(), newest.base64());
			}
		}
		if (state == null) {
			LogicalStore.Value stored = this.store.value(key);
			if (stored != null) {
				state = new PendingSpool.State(stored.valueJson(), stored.expiresAt(), stored.base64());
			}
		}
		if (state != null && !state.deleted() && state.expiresAt() != null
				&& state.expiresAt() <= this.clock.instant().getEpochSecond()) {
			return PendingSpool.State.DELETED;
		}
		return state;
	}

	/**
	 * Up to {@code limit} live logical keys starting with {@code prefix} after
	 * {@code after}, in key order, each with its expiration (or {@code null}).
	 */
	Map<String, @Nullable Long> list(String prefix, String after, int limit) {
		String like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
		long applied = applied();
		Map<String, Boolean> unapplied = new TreeMap<>();
		this.outbox.keysAfter(applied, after, like, unapplied::put);
		unapplied.putAll(this.pending.keys(prefix, after));
		long now = this.clock.instant().getEpochSecond();
		TreeMap<String, @Nullable Long> keys = new TreeMap<>();
		String[] last = new String[1];
		int[] fetched = new int[1];
		// Enough stored entries to fill the page even if every unapplied delete hides
		// one.
		int wanted = limit + (int) Math.min(unapplied.size(), 100_000);
		this.store.keysAfter(after, like, wanted, (key, expiration) -> {
			last[0] = key;
			fetched[0]++;
			if (expiration == null || expiration > now) {
				keys.put(key, expiration);
			}
		});
		unapplied.forEach((key, put) -> {
			if (put) {
				if (!keys.containsKey(key)) {
					keys.put(key, expirationOf(key));
				}
			}
			else {
				keys.remove(key);
			}
		});
		if (fetched[0] == wanted) {
			// Stored keys past the last one read are unknown: nothing after it goes on
			// this page.
			keys.tailMap(last[0], false).clear();
		}
		List<String> page = new ArrayList<>(keys.keySet());
		Map<String, @Nullable Long> result = new TreeMap<>();
		for (String key : page.subList(0, Math.min(limit, page.size()))) {
			result.put(key, keys.get(key));
		}
		return result;
	}

	/**
	 * Staged operations compress has not applied: unapplied outbox rows and pending spool
	 * records.
	 */
	long backlog() {
		return Math.max(0, this.outbox.lastId() - applied()) + this.pending.backlog();
	}

	private @Nullable Long expirationOf(String key) {
		try {
			PendingSpool.State state = find(key);
			return (state != null) ? state.expiresAt() : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

	private long applied() {
		return this.cursors.position(Cursors.OUTBOX);
	}

}
