package dev.kvbatch.api;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.kvbatch.pack.LogicalEntry;
import dev.kvbatch.pack.PackException;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.Packer;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.pack.Placement;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.store.LogicalStore;
import dev.kvbatch.store.PhysicalViews;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * A read of a physical key kvbatch writes ({@code mobile-batch:dev1}): its value as the
 * next compress will write it, packed from the logical store's entries with the staged
 * changes that land in it (unapplied outbox rows, then pending spool files) laid over
 * them. An app that already reads packed keys keeps working against the API.
 * <p>
 * Bounded by the backlog: the staged changes are all looked at, so a read of a physical
 * key costs a scan of what compress has not applied yet. Read-only; thread-safe.
 */
final class PackedReads {

	private final Outbox outbox;

	private final LogicalStore store;

	private final PendingSpool pending;

	private final PackingRules rules;

	private final Packer packer;

	private final JsonMapper mapper;

	private final Clock clock;

	PackedReads(Outbox outbox, LogicalStore store, PendingSpool pending, PackingRules rules, Packer packer,
			JsonMapper mapper, Clock clock) {
		this.outbox = outbox;
		this.store = store;
		this.pending = pending;
		this.rules = rules;
		this.packer = packer;
		this.mapper = mapper;
		this.clock = clock;
	}

	/**
	 * The packed value of {@code physicalKey}; deleted when none of its entries is left;
	 * {@code null} when no entry, stored or staged, lands in it.
	 * @param applied compress's position in the outbox
	 * @param logical the newest staged state of a logical key
	 */
	PendingSpool.@Nullable State find(String physicalKey, long applied, LogicalReads logical) throws IOException {
		long now = this.clock.instant().getEpochSecond();
		Map<String, LogicalEntry> entries = new TreeMap<>();
		String[] rule = new String[1];
		PackKind[] kind = new PackKind[1];
		for (PhysicalViews.Row row : this.store.live(physicalKey, now)) {
			rule[0] = row.rule();
			kind[0] = PackKind.valueOf(row.kind());
			entries.put(row.logicalKey(), row.entry());
		}
		Map<String, Placement> changed = new TreeMap<>();
		this.outbox.eventsAfter(applied, (key, at) -> place(key, at, physicalKey, changed));
		this.pending.forEachKey((key, at) -> place(key, at, physicalKey, changed));
		if (entries.isEmpty() && changed.isEmpty()) {
			return null;
		}
		for (Map.Entry<String, Placement> change : changed.entrySet()) {
			PendingSpool.State state = logical.find(change.getKey());
			Placement placement = change.getValue();
			rule[0] = placement.rule();
			kind[0] = placement.kind();
			if (state == null || state.deleted()) {
				entries.remove(change.getKey());
			}
			else {
				entries.put(change.getKey(), new LogicalEntry(change.getKey(), placement.field(), state.value(),
						metric(placement, state.value()), state.expiresAt(), state.base64()));
			}
		}
		if (entries.isEmpty()) {
			return PendingSpool.State.DELETED;
		}
		try {
			PhysicalValue value = this.packer.packParking(physicalKey, rule[0], kind[0], List.copyOf(entries.values()))
				.value();
			return (value != null) ? PendingSpool.State.of(value) : PendingSpool.State.DELETED;
		}
		catch (PackException ex) {
			throw new ApiException(org.springframework.http.HttpStatus.CONFLICT, ApiException.VALIDATION,
					"physical key \"" + physicalKey + "\" cannot be packed: " + ex.getMessage());
		}
	}

	private void place(String logicalKey, Instant at, String physicalKey, Map<String, Placement> changed) {
		Placement placement = this.rules.place(logicalKey, at);
		if (placement.physicalKey().equals(physicalKey) && !logicalKey.equals(physicalKey)) {
			changed.put(logicalKey, placement);
		}
	}

	private @Nullable Double metric(Placement placement, String valueJson) {
		if (placement.kind() != PackKind.ROLLUP) {
			return null;
		}
		try {
			return PackingRules.metricOf(this.mapper.readTree(valueJson));
		}
		catch (RuntimeException ex) {
			// Compress parks it; so does this read.
			return null;
		}
	}

	/** The newest staged state of a logical key. */
	@FunctionalInterface
	interface LogicalReads {

		PendingSpool.@Nullable State find(String logicalKey) throws IOException;

	}

}
