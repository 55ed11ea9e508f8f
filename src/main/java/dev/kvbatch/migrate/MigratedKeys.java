package dev.kvbatch.migrate;

import dev.kvbatch.flush.BulkSender;
import dev.kvbatch.store.LogicalStore;
import dev.kvbatch.store.MigratedEntries;
import dev.kvbatch.store.MigratedEntries.ToVerify;
import dev.kvbatch.store.PhysicalViews;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.kv.KvReads;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * What follows a migration: {@link #verify} the packed keys against the legacy keys,
 * {@link #stats} per rule, and {@link #unpack}, the rollback that writes the logical
 * entries back as individual keys. Each works in bounded batches and stops when the day's
 * budget of the operation it spends runs out. Not thread-safe.
 */
@Component
public class MigratedKeys {

	/** Keys per bulk read: KV's maximum. */
	static final int READ_BATCH = 100;

	/** Keys per bulk write. */
	static final int WRITE_BATCH = 1000;

	private final LogicalStore entries;

	private final MigratedEntries migrated;

	private final KvTarget target;

	private final DailyBudget budget;

	private final JsonMapper mapper;

	private final Clock clock;

	public MigratedKeys(LogicalStore entries, MigratedEntries migrated, KvTarget target, DailyBudget budget,
			JsonMapper mapper, Clock clock) {
		this.entries = entries;
		this.migrated = migrated;
		this.target = target;
		this.budget = budget;
		this.mapper = mapper;
		this.clock = clock;
	}

	/**
	 * Compares each migrated key still in the logical store, and whose legacy key was not
	 * deleted by {@code delete-legacy=true}, with its legacy key: a map entry must equal
	 * the legacy value (as JSON) in its packed key's field; a rollup entry's packed
	 * bucket must hold its field. A key that matches is marked verified
	 * ({@code kv_migrated.verified_at}), one that does not is unmarked. Costs one read
	 * per legacy key and one per packed key.
	 * @param mismatches told each mismatch, in key order, as one line
	 * @return the counts, and whether the read budget stopped it before the end
	 */
	public Verification verify(Consumer<String> mismatches) {
		Map<String, @Nullable JsonNode> packed = new HashMap<>();
		String after = "";
		long checked = 0;
		long mismatched = 0;
		while (true) {
			List<ToVerify> batch = this.migrated.toVerify(after);
			if (batch.isEmpty()) {
				return new Verification(checked, mismatched, false);
			}
			List<String> unread = batch.stream()
				.map(ToVerify::physicalKey)
				.distinct()
				.filter((key) -> !packed.containsKey(key))
				.toList();
			if (this.budget.remaining(Operation.READ) < batch.size() + unread.size()) {
				return new Verification(checked, mismatched, true);
			}
			for (int i = 0; i < unread.size(); i += READ_BATCH) {
				List<String> keys = unread.subList(i, Math.min(unread.size(), i + READ_BATCH));
				keys.forEach((key) -> packed.put(key, null));
				KvReads.bulkGet(this.target, keys).forEach((value) -> packed.put(value.key(), parse(value.value())));
			}
			Map<String, String> legacy = new HashMap<>();
			KvReads.bulkGet(this.target, batch.stream().map(ToVerify::logicalKey).toList())
				.forEach((value) -> legacy.put(value.key(), value.value()));
			long now = this.clock.millis();
			for (ToVerify entry : batch) {
				String problem = compare(entry, legacy.get(entry.logicalKey()), packed.get(entry.physicalKey()));
				checked++;
				if (problem != null) {
					mismatched++;
					mismatches.accept(entry.logicalKey() + ": " + problem);
				}
				this.migrated.verified(entry.logicalKey(), (problem != null) ? null : now);
			}
			after = batch.get(batch.size() - 1).logicalKey();
		}
	}

	private @Nullable String compare(ToVerify entry, @Nullable String legacy, @Nullable JsonNode packed) {
		if (legacy == null) {
			return "the legacy key is gone";
		}
		if (packed == null) {
			return "its packed key " + entry.physicalKey() + " is missing";
		}
		JsonNode field = packed.get(entry.field());
		if (field == null) {
			return "field \"" + entry.field() + "\" is missing from " + entry.physicalKey();
		}
		if (PackKind.valueOf(entry.kind()) == PackKind.ROLLUP) {
			// A bucket holds the aggregate, not the entry: holding its field is all there
			// is to check.
			return null;
		}
		JsonNode legacyValue = parse(legacy);
		if (!field.equals(legacyValue)) {
			return "legacy value " + legacy + " but " + entry.physicalKey() + " holds " + field;
		}
		return null;
	}

	private @Nullable JsonNode parse(String text) {
		try {
			return this.mapper.readTree(text);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/**
	 * Writes the live map and rollup entries back as individual keys (their logical key,
	 * value and expiration) in key order, 1000 per bulk write, within the day's write
	 * budget.
	 * @param after start after this key ({@code ""} for the first)
	 * @return how many were written, and the last key written when the budget stopped it
	 * ({@code null} when all were written)
	 */
	public Unpacked unpack(String after) {
		long now = this.clock.instant().getEpochSecond();
		long written = 0;
		List<String> failed = new ArrayList<>();
		String from = after;
		while (true) {
			// An entry that expires before a request could land is not written back.
			List<LogicalStore.Stored> batch = this.entries.packedAfter(from, now + PhysicalViews.LANDING_SECONDS);
			if (batch.isEmpty()) {
				return new Unpacked(written, failed, null);
			}
			long allowed = Math.min(batch.size(), this.budget.remaining(Operation.WRITE));
			if (allowed == 0) {
				return new Unpacked(written, failed, from);
			}
			List<PhysicalValue> values = batch.subList(0, (int) allowed)
				.stream()
				.map((entry) -> new PhysicalValue(entry.logicalKey(), entry.valueJson(), entry.expiresAt()))
				.toList();
			BulkSender.Sent sent = BulkSender.send(values, PhysicalValue::key, this.target::put,
					() -> this.budget.remaining(Operation.WRITE));
			List<String> notWritten = values.stream()
				.map(PhysicalValue::key)
				.filter((key) -> sent.notStored().contains(key) || sent.refused().containsKey(key)
						|| sent.deferred().contains(key))
				.toList();
			failed.addAll(notWritten);
			written += values.size() - notWritten.size();
			from = values.get(values.size() - 1).key();
		}
	}

	/** Per map and rollup rule, from the logical store: no KV call. */
	public List<RuleStats> stats() {
		return this.entries.stats()
			.stream()
			.map((rule) -> new RuleStats(rule.rule(), rule.logicalKeys(), rule.packedKeys(), rule.bytes(),
					rule.migratedKeys()))
			.toList();
	}

	/**
	 * The outcome of {@link #verify}.
	 *
	 * @param checked migrated keys compared
	 * @param mismatched of which did not match
	 * @param stoppedByBudget whether the day's reads ran out first
	 */
	public record Verification(long checked, long mismatched, boolean stoppedByBudget) {
	}

	/**
	 * The outcome of {@link #unpack}.
	 *
	 * @param written keys written back
	 * @param failed keys the target did not store
	 * @param stoppedAfter the last key written when the write budget ran out, else
	 * {@code null}
	 */
	public record Unpacked(long written, List<String> failed, @Nullable String stoppedAfter) {
	}

	/**
	 * One rule's figures.
	 *
	 * @param rule the rule's name
	 * @param logicalKeys live and expired entries the rule packs
	 * @param packedKeys the physical keys they are packed into
	 * @param bytes UTF-8 bytes of their keys and values
	 * @param migratedKeys of the entries, those loaded from legacy keys
	 */
	public record RuleStats(String rule, long logicalKeys, long packedKeys, long bytes, long migratedKeys) {
	}

}
