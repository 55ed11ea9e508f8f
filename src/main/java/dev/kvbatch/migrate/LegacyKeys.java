package dev.kvbatch.migrate;

import dev.kvbatch.flush.BulkSender;
import dev.kvbatch.store.DirtyKeys;
import dev.kvbatch.store.LogicalStore;
import dev.kvbatch.store.MigratedEntries;
import dev.kvbatch.store.MigrationPositions;
import dev.kvbatch.store.PhysicalViews;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.Objects;

import dev.kvbatch.pack.PackException;
import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.pack.Placement;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.stage.Rejection;
import dev.kvbatch.kv.KvReads;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

/**
 * Loads legacy keys (individual keys an app wrote to KV before kvbatch) into the logical
 * store, under the same logical key, value and expiration, and marks their physical keys
 * dirty so the next flush writes the packed keys. Legacy keys themselves are left in KV.
 *
 * <p>
 * {@link #load} runs in the caller's transaction and moves each rule's listing position
 * ({@link MigrationPositions}) with the chunk it loaded, so a rolled-back chunk is listed
 * and read again and a committed one never is. Idempotent: a key already in the logical
 * store is not read again (an entry the app staged through kvbatch is newer than its
 * legacy key), nor is a key kvbatch wrote itself (a packed key under the same prefix).
 */
@Component
public class LegacyKeys {

	private static final Logger log = LoggerFactory.getLogger(LegacyKeys.class);

	/** The dead-letter source of legacy values that cannot be loaded. */
	public static final String SOURCE = "migrate";

	private final PackingRules rules;

	private final KvTarget target;

	private final DeadLetters deadLetters;

	private final DirtyKeys dirtyKeys;

	private final JsonMapper mapper;

	private final DailyBudget budget;

	private final Clock clock;

	private final LogicalStore entries;

	private final PhysicalViews views;

	private final MigratedEntries migrated;

	private final MigrationPositions positions;

	public LegacyKeys(PackingRules rules, KvTarget target, DeadLetters deadLetters, DirtyKeys dirtyKeys,
			JsonMapper mapper, DailyBudget budget, Clock clock, LogicalStore entries, PhysicalViews views,
			MigratedEntries migrated, MigrationPositions positions) {
		this.entries = entries;
		this.views = views;
		this.migrated = migrated;
		this.positions = positions;
		this.budget = budget;
		this.rules = rules;
		this.target = target;
		this.deadLetters = deadLetters;
		this.dirtyKeys = dirtyKeys;
		this.mapper = mapper;
		this.clock = clock;
	}

	/**
	 * Deletes verified legacy keys from the target, as many as the day's delete budget
	 * allows, and records it in the caller's transaction. A key verify never passed, or
	 * that a later verify found changed, is kept.
	 * @param keys migrated logical keys, each also its legacy key's name
	 * @return how many were deleted (and billed); the rest wait for a later run
	 */
	public long deleteVerified(List<? extends String> keys) {
		List<String> verified = this.migrated.verifiedOf(keys);
		int allowed = (int) Math.min(verified.size(), this.budget.remaining(Operation.DELETE));
		List<String> batch = verified.subList(0, allowed);
		if (batch.isEmpty()) {
			return 0;
		}
		BulkSender.Sent sent = BulkSender.send(batch, (key) -> key, this.target::delete,
				() -> this.budget.remaining(Operation.DELETE));
		sent.refused().forEach((key, reason) -> log.warn("Legacy key \"{}\" kept: {}", key, reason));
		List<String> deleted = batch.stream()
			.filter((key) -> !sent.notStored().contains(key) && !sent.refused().containsKey(key)
					&& !sent.deferred().contains(key))
			.toList();
		this.migrated.legacyDeleted(deleted, this.clock.millis());
		return deleted.size();
	}

	/** Where the listing of a rule's legacy keys stopped, if it ever started. */
	public Optional<MigrationPositions.Position> position(String rule) {
		return this.positions.of(rule);
	}

	/**
	 * Reads the listed keys from the target (bulk reads of up to 100, billed one read per
	 * key read) and loads those their rule places; moves each rule's position past its
	 * last key. A value that is not JSON, or a metric that is not a number, goes to the
	 * dead letters with the key and reason, and its legacy key is left alone. A key KV
	 * answers it does not hold (deleted since it was listed) is skipped. If the read
	 * fails, nothing is loaded and no position moves: the caller's transaction rolls back
	 * and the keys are read again.
	 * @param keys listed keys in listing order, at most 100 to read in one request
	 * @param at the event time of {@code {at:day}} and {@code {at:hour}} placements
	 * @return what was done with the keys
	 */
	public Outcome load(List<Listed> keys, Instant at) {
		if (keys.isEmpty()) {
			return new Outcome(0, 0, 0);
		}
		List<String> names = keys.stream().map(Listed::key).toList();
		Set<String> skip = new HashSet<>(this.entries.known(names));
		skip.addAll(this.views.written(names));
		List<Rejection> rejected = new ArrayList<>();
		Map<String, Placement> placements = new LinkedHashMap<>();
		for (Listed listed : keys) {
			if (skip.contains(listed.key())) {
				continue;
			}
			try {
				Placement placement = this.rules.place(listed.key(), at);
				if (placement.rule().equals(listed.rule())) {
					placements.put(listed.key(), placement);
				}
			}
			catch (PackException ex) {
				rejected.add(rejection(listed.key(), "key", ex.getMessage(), listed.key()));
			}
		}
		Map<String, @Nullable Long> listedExpirations = new HashMap<>();
		keys.forEach((listed) -> listedExpirations.put(listed.key(), listed.expiration()));
		List<Loaded> loaded = new ArrayList<>();
		for (KvTarget.StoredValue read : KvReads.bulkGet(this.target, List.copyOf(placements.keySet()))) {
			// A bulk read in KV's plain form has no expirations; the listing has them.
			KvTarget.StoredValue stored = (read.expiration() != null) ? read
					: new KvTarget.StoredValue(read.key(), read.value(), listedExpirations.get(read.key()));
			Placement placement = Objects.requireNonNull(placements.get(stored.key()), "a placed key");
			try {
				Double metric = null;
				var node = this.mapper.readTree(stored.value());
				if (node == null || node.isMissingNode()) {
					rejected.add(rejection(stored.key(), "value", "legacy value is empty", stored.value()));
					continue;
				}
				if (placement.kind() == PackKind.ROLLUP) {
					metric = PackingRules.metricOf(node);
				}
				loaded.add(new Loaded(stored, placement, metric));
			}
			catch (JacksonException | PackException ex) {
				rejected.add(rejection(stored.key(), "value", "legacy value is not loadable: " + ex.getMessage(),
						stored.value()));
			}
		}
		write(loaded, at);
		this.deadLetters.addAll(rejected);
		rejected.forEach((r) -> log.warn("Legacy key left alone: {}", r.message()));
		moveTo(keys);
		return new Outcome(loaded.size(), rejected.size(), keys.size() - loaded.size() - rejected.size());
	}

	private void write(List<Loaded> loaded, Instant at) {
		long now = this.clock.millis();
		this.entries.insert(loaded.stream()
			.map((entry) -> new LogicalStore.Entry(entry.stored().key(), entry.placement(), entry.stored().value(),
					entry.metric(), entry.stored().expiration(), at.toEpochMilli()))
			.toList());
		this.migrated.loaded(loaded.stream()
			.map((entry) -> new MigratedEntries.Loaded(entry.stored().key(), entry.placement().rule()))
			.toList(), now);
		this.dirtyKeys.mark(loaded.stream().map((entry) -> entry.placement().physicalKey()).distinct().toList());
	}

	private void moveTo(List<Listed> keys) {
		Map<String, Listed> last = new LinkedHashMap<>();
		keys.forEach((listed) -> last.put(listed.rule(), listed));
		for (Listed listed : last.values()) {
			this.positions.move(listed.rule(), listed.pageCursor(), listed.key());
		}
	}

	private static Rejection rejection(String key, String field, String reason, String raw) {
		return new Rejection(SOURCE, 0, field, "legacy key \"" + key + "\": " + reason, raw);
	}

	/**
	 * A legacy key as listed.
	 *
	 * @param rule the rule whose prefix listed it
	 * @param key the key, which is also the logical key it is loaded as
	 * @param expiration its expiration as listed, epoch seconds ({@code null} for never)
	 * @param pageCursor the cursor that listed its page ({@code null} for the first
	 * page): listing resumes there
	 */
	public record Listed(String rule, String key, @Nullable Long expiration, @Nullable String pageCursor) {
	}

	/**
	 * What one chunk did.
	 *
	 * @param loaded legacy keys loaded into the logical store
	 * @param rejected keys left alone because their value (or key) cannot be packed
	 * @param skipped keys already in the store, written by kvbatch, placed by another
	 * rule, or gone before they were read
	 */
	public record Outcome(long loaded, long rejected, long skipped) {
	}

	private record Loaded(KvTarget.StoredValue stored, Placement placement, @Nullable Double metric) {
	}

}
