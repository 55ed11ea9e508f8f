package dev.kvbatch.store;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.target.KvQuotaExceededException;
import dev.kvbatch.target.KvTarget;
import dev.kvbatch.usage.DailyBudget;
import dev.kvbatch.usage.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Carries out flush plans: one bulk put and one bulk delete per chunk, then records what
 * KV now holds and clears the dirty marks of the keys that were settled. Keys the target
 * did not store stay dirty for the next run.
 *
 * <p>
 * Safe to repeat: if the transaction rolls back after the target accepted the values, the
 * keys stay dirty and the next run sends the same values again (KV is last-write-wins).
 */
@Component
public class Flusher {

	private static final Logger log = LoggerFactory.getLogger(Flusher.class);

	private static final String FORGET = "DELETE FROM kv_physical WHERE physical_key = ?";

	private static final String REMEMBER = """
			INSERT INTO kv_physical (physical_key, rule, digest, expires_at, written_at) VALUES (?, ?, ?, ?, ?)
			""";

	private static final String CLEAN = "DELETE FROM kv_dirty WHERE id = ?";

	private final JdbcTemplate jdbc;

	private final KvTarget target;

	private final DailyBudget budget;

	private final Clock clock;

	public Flusher(JdbcTemplate jdbc, KvTarget target, DailyBudget budget, Clock clock) {
		this.jdbc = jdbc;
		this.target = target;
		this.budget = budget;
		this.clock = clock;
	}

	/** Sends and settles a chunk of plans; returns what happened, for counting. */
	public Outcome flush(List<? extends FlushPlan> plans) {
		List<FlushPlan.Put> puts = new ArrayList<>();
		List<FlushPlan.Delete> deletes = new ArrayList<>();
		List<DirtyKey> settled = new ArrayList<>();
		List<String> forget = new ArrayList<>();
		int refused = 0;
		int unchanged = 0;
		for (FlushPlan plan : plans) {
			if (plan instanceof FlushPlan.Put put) {
				puts.add(put);
			}
			else if (plan instanceof FlushPlan.Delete delete) {
				deletes.add(delete);
			}
			else if (plan instanceof FlushPlan.Unchanged same) {
				unchanged++;
				settled.add(same.dirty());
				if (same.forget()) {
					forget.add(same.dirty().physicalKey());
				}
			}
			else if (plan instanceof FlushPlan.Refused refusal) {
				refused++;
				log.error("Physical key \"{}\" stays unsent: {}", refusal.dirty().physicalKey(), refusal.reason());
			}
		}
		// Longest-dirty first: plans come in dirty order, so the budget defers the newest
		// keys, which keep coalescing until the next run.
		int deferred = 0;
		long writes = this.budget.remaining(Operation.WRITE);
		if (puts.size() > writes) {
			deferred += puts.size() - (int) writes;
			puts = puts.subList(0, (int) writes);
		}
		long removals = this.budget.remaining(Operation.DELETE);
		if (deletes.size() > removals) {
			deferred += deletes.size() - (int) removals;
			deletes = deletes.subList(0, (int) removals);
		}
		List<PhysicalValue> values = puts.stream().map(FlushPlan.Put::value).toList();
		List<String> putKeys = values.stream().map(PhysicalValue::key).toList();
		List<String> deleteKeys = deletes.stream().map((d) -> d.dirty().physicalKey()).toList();
		Sent putsSent = send(putKeys, () -> this.target.put(values));
		Sent deletesSent = send(deleteKeys, () -> this.target.delete(deleteKeys));
		Set<String> notStored = putsSent.notTaken();
		Set<String> notDeleted = deletesSent.notTaken();
		int refusedForToday = putsSent.refusedForToday() + deletesSent.refusedForToday();
		deferred += refusedForToday;
		List<FlushPlan.Put> stored = puts.stream().filter((p) -> !notStored.contains(p.value().key())).toList();
		List<FlushPlan.Delete> deleted = deletes.stream()
			.filter((d) -> !notDeleted.contains(d.dirty().physicalKey()))
			.toList();
		stored.forEach((p) -> {
			forget.add(p.value().key());
			settled.add(p.dirty());
		});
		deleted.forEach((d) -> {
			forget.add(d.dirty().physicalKey());
			settled.add(d.dirty());
		});
		this.jdbc.batchUpdate(FORGET, forget, forget.size(), (ps, key) -> ps.setString(1, key));
		long now = this.clock.millis();
		this.jdbc.batchUpdate(REMEMBER, stored, stored.size(), (ps, put) -> {
			PhysicalValue value = put.value();
			ps.setString(1, value.key());
			ps.setString(2, put.rule());
			ps.setString(3, put.digest());
			ps.setObject(4, value.expiresAt());
			ps.setLong(5, now);
		});
		this.jdbc.batchUpdate(CLEAN, settled, settled.size(), (ps, dirty) -> ps.setLong(1, dirty.id()));
		return new Outcome(stored.size(), deleted.size(), unchanged,
				notStored.size() + notDeleted.size() - refusedForToday + refused, deferred);
	}

	/**
	 * Sends one bulk call. When KV refuses the operation kind for the rest of the UTC
	 * day, the budget records it (nothing of that kind is sent again today), the keys
	 * stay dirty, and the run goes on.
	 */
	private Sent send(List<String> keys, Supplier<List<String>> call) {
		if (keys.isEmpty()) {
			return new Sent(Set.of(), 0);
		}
		try {
			return new Sent(new HashSet<>(call.get()), 0);
		}
		catch (KvQuotaExceededException ex) {
			log.warn("KV refused {}s for the rest of the UTC day; {} keys stay dirty until 00:00 UTC: {}",
					ex.operation().label(), keys.size(), ex.getMessage());
			this.budget.exhaust(ex.operation());
			return new Sent(new HashSet<>(keys), keys.size());
		}
	}

	/**
	 * The keys a bulk call did not take, and how many of them KV refused for the rest of
	 * the day.
	 */
	private record Sent(Set<String> notTaken, int refusedForToday) {
	}

	/**
	 * Counts of one flush.
	 *
	 * @param written keys written
	 * @param deleted keys deleted
	 * @param unchanged keys whose value KV already holds
	 * @param pending keys left dirty because the target did not take them or a KV limit
	 * refused them
	 * @param deferred keys left dirty because today's budget is spent
	 */
	public record Outcome(int written, int deleted, int unchanged, int pending, int deferred) {
	}

}
