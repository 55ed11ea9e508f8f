package dev.kvbatch.flush;

import dev.kvbatch.store.DirtyKey;
import dev.kvbatch.store.DirtyKeys;
import dev.kvbatch.store.PhysicalViews;
import dev.kvbatch.store.FreshnessLog;
import dev.kvbatch.store.FlushPlan;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.stage.DeadLetters;
import dev.kvbatch.stage.Rejection;
import dev.kvbatch.kv.KvChecks;
import dev.kvbatch.kv.KvQuotaExceededException;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * Carries out flush plans: one bulk put and one bulk delete per chunk, then records what
 * KV now holds and clears the dirty marks of the keys that were settled. Keys the target
 * did not store stay dirty for the next run.
 *
 * <p>
 * What KV refuses for good never holds the others back: a key that breaks one of KV's
 * limits is not sent, a request KV refuses as a whole is sent again in halves until the
 * refused keys stand alone ({@link BulkSender}), and each refused key is parked: a dead
 * letter (source {@value #SOURCE}) names it and KV's reason, and its dirty mark is
 * cleared, so it neither fails the run nor is sent again until its entries change. What
 * KV held for it before is left as it was.
 *
 * <p>
 * Safe to repeat: if the transaction rolls back after the target accepted the values, the
 * keys stay dirty and the next run sends the same values again (KV is last-write-wins).
 */
@Component
public class Flusher {

	private static final Logger log = LoggerFactory.getLogger(Flusher.class);

	/** The dead-letter source of physical keys KV refused. */
	public static final String SOURCE = "flush";

	private final PhysicalViews views;

	private final DirtyKeys dirtyKeys;

	private final KvTarget target;

	private final DailyBudget budget;

	private final DeadLetters deadLetters;

	private final FreshnessLog freshness;

	private final Clock clock;

	public Flusher(PhysicalViews views, DirtyKeys dirtyKeys, KvTarget target, DailyBudget budget,
			DeadLetters deadLetters, FreshnessLog freshness, Clock clock) {
		this.views = views;
		this.dirtyKeys = dirtyKeys;
		this.freshness = freshness;
		this.target = target;
		this.budget = budget;
		this.deadLetters = deadLetters;
		this.clock = clock;
	}

	/** Sends and settles a chunk of plans; returns what happened, for counting. */
	public Outcome flush(List<? extends FlushPlan> plans) {
		return flush(plans, this.clock.millis());
	}

	/**
	 * Sends and settles a chunk of plans, given in deadline order; returns what happened,
	 * for counting. A key the budget holds back whose deadline is due by {@code horizon}
	 * is recorded as a breach ({@link FreshnessLog}).
	 * @param plans the plans, earliest deadline first
	 * @param horizon the latest deadline this run must meet, epoch milliseconds
	 */
	public Outcome flush(List<? extends FlushPlan> plans, long horizon) {
		List<FlushPlan.Put> puts = new ArrayList<>();
		List<FlushPlan.Delete> deletes = new ArrayList<>();
		List<DirtyKey> settled = new ArrayList<>();
		List<String> forget = new ArrayList<>();
		List<Rejection> parked = new ArrayList<>();
		int refused = 0;
		int unchanged = 0;
		for (FlushPlan plan : plans) {
			if (plan instanceof FlushPlan.Put put) {
				String problem = KvChecks.refusal(put.value());
				if (problem != null) {
					parked.add(park(put.dirty(), put.rule(), problem));
					settled.add(put.dirty());
				}
				else {
					puts.add(put);
				}
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
		// Earliest deadline first: plans come in deadline order, so the budget defers the
		// keys that can wait longest, which keep coalescing until the next run.
		int deferred = 0;
		List<DirtyKey> held = new ArrayList<>();
		long writes = this.budget.remaining(Operation.WRITE);
		if (puts.size() > writes) {
			deferred += puts.size() - (int) writes;
			puts.subList((int) writes, puts.size()).forEach((put) -> held.add(put.dirty()));
			puts = puts.subList(0, (int) writes);
		}
		long removals = this.budget.remaining(Operation.DELETE);
		if (deletes.size() > removals) {
			deferred += deletes.size() - (int) removals;
			deletes.subList((int) removals, deletes.size()).forEach((delete) -> held.add(delete.dirty()));
			deletes = deletes.subList(0, (int) removals);
		}
		Sent putsSent = send(Operation.WRITE, puts.stream().map(FlushPlan.Put::value).toList(), PhysicalValue::key,
				this.target::put);
		Sent deletesSent = send(Operation.DELETE, deletes.stream().map((d) -> d.dirty().physicalKey()).toList(),
				(key) -> key, this.target::delete);
		int refusedForToday = putsSent.refusedForToday() + deletesSent.refusedForToday();
		deferred += refusedForToday + putsSent.deferred().size() + deletesSent.deferred().size();
		List<FlushPlan.Put> stored = new ArrayList<>();
		List<DirtyKey> sent = new ArrayList<>();
		for (FlushPlan.Put put : puts) {
			String key = put.value().key();
			String reason = putsSent.refused().get(key);
			if (reason != null) {
				parked.add(park(put.dirty(), put.rule(), reason));
				settled.add(put.dirty());
			}
			else if (putsSent.taken(key)) {
				stored.add(put);
				sent.add(put.dirty());
				forget.add(key);
				settled.add(put.dirty());
			}
			else if (putsSent.heldByBudget(key)) {
				held.add(put.dirty());
			}
		}
		int deleted = 0;
		for (FlushPlan.Delete delete : deletes) {
			String key = delete.dirty().physicalKey();
			String reason = deletesSent.refused().get(key);
			if (reason != null) {
				parked.add(park(delete.dirty(), null, reason));
				settled.add(delete.dirty());
			}
			else if (deletesSent.taken(key)) {
				deleted++;
				sent.add(delete.dirty());
				forget.add(key);
				settled.add(delete.dirty());
			}
			else if (deletesSent.heldByBudget(key)) {
				held.add(delete.dirty());
			}
		}
		this.views.forget(forget);
		this.views.remember(stored, this.clock.millis());
		this.dirtyKeys.clean(settled);
		this.deadLetters.addAll(parked);
		this.freshness.sent(sent);
		int breaches = this.freshness.held(held, horizon);
		int pending = putsSent.notStored().size() + deletesSent.notStored().size() - refusedForToday + refused;
		return new Outcome(stored.size(), deleted, unchanged, pending, deferred, parked.size(), breaches);
	}

	private Rejection park(DirtyKey dirty, @Nullable String rule, String reason) {
		String key = dirty.physicalKey();
		log.error("Physical key \"{}\" is set aside as a dead letter (it is sent again once its entries change): {}",
				key, reason);
		String what = (rule != null) ? "KV refused physical key \"%s\" (rule %s): ".formatted(key, rule)
				: "KV refused the delete of physical key \"%s\": ".formatted(key);
		return new Rejection(SOURCE, 0, "key", what + reason, key);
	}

	/**
	 * Sends one bulk call, isolating what KV refuses. When KV refuses the operation kind
	 * for the rest of the UTC day, the budget records it (nothing of that kind is sent
	 * again today), the keys stay dirty, and the run goes on.
	 */
	private <T> Sent send(Operation operation, List<T> items, Function<T, String> keyOf,
			Function<List<T>, List<String>> call) {
		if (items.isEmpty()) {
			return new Sent(Set.of(), Map.of(), Set.of(), false);
		}
		try {
			BulkSender.Sent sent = BulkSender.send(items, keyOf, call, () -> this.budget.remaining(operation));
			return new Sent(sent.notStored(), sent.refused(), sent.deferred(), false);
		}
		catch (KvQuotaExceededException ex) {
			log.warn("KV refused {}s for the rest of the UTC day; {} keys stay dirty until 00:00 UTC: {}",
					ex.operation().label(), items.size(), ex.getMessage());
			this.budget.exhaust(ex.operation());
			Set<String> keys = new HashSet<>();
			items.forEach((item) -> keys.add(keyOf.apply(item)));
			return new Sent(keys, Map.of(), Set.of(), true);
		}
	}

	/**
	 * What became of the keys of one bulk call.
	 *
	 * @param notStored keys KV did not take (they stay dirty)
	 * @param refused keys KV refused for good, with the reason (they are parked)
	 * @param deferred keys not sent again because the budget ran out during resends
	 * @param quotaExhausted whether KV refused the whole call for the rest of the day
	 * (every key is then in {@code notStored})
	 */
	private record Sent(Set<String> notStored, Map<String, String> refused, Set<String> deferred,
			boolean quotaExhausted) {

		boolean taken(String key) {
			return !this.notStored.contains(key) && !this.refused.containsKey(key) && !this.deferred.contains(key);
		}

		/** Of {@code notStored}, those KV refused for the rest of the day. */
		int refusedForToday() {
			return this.quotaExhausted ? this.notStored.size() : 0;
		}

		/** Whether the key waits for budget: the resends ran out of it, or KV's did. */
		boolean heldByBudget(String key) {
			return this.deferred.contains(key) || (this.quotaExhausted && this.notStored.contains(key));
		}

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
	 * @param parked keys KV refused for good, set aside as dead letters
	 * @param breaches of {@code deferred}, keys held past their deadline (freshness
	 * bound)
	 */
	public record Outcome(int written, int deleted, int unchanged, int pending, int deferred, int parked,
			int breaches) {
	}

}
