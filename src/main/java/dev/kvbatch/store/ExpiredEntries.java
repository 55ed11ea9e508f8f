package dev.kvbatch.store;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

/**
 * Removes logical entries past their expiration and marks the physical keys that held
 * them, so the next flush rewrites them without the stale entries, deletes them, or, when
 * KV has already expired them, just forgets them.
 *
 * <p>
 * A rollup bucket expires whole: its entries are removed only once none of them is live,
 * so an hour's summary is never rewritten with part of its counts missing
 * ({@link LogicalStore#EXPIRED}). The entries' SQL is the {@link LogicalStore}'s.
 */
@Component
public class ExpiredEntries {

	private final LogicalStore entries;

	private final DirtyKeys dirtyKeys;

	public ExpiredEntries(LogicalStore entries, DirtyKeys dirtyKeys) {
		this.entries = entries;
		this.dirtyKeys = dirtyKeys;
	}

	/**
	 * Removes the entries and marks their physical keys dirty, in the caller's
	 * transaction. Idempotent.
	 */
	public void remove(List<? extends ExpiredEntry> entries) {
		this.entries.remove(entries.stream().map(ExpiredEntry::logicalKey).toList());
		Set<String> physicalKeys = new LinkedHashSet<>();
		entries.forEach((entry) -> physicalKeys.add(entry.physicalKey()));
		this.dirtyKeys.mark(physicalKeys);
	}

}
