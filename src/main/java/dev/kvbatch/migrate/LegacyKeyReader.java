package dev.kvbatch.migrate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Locale;

import dev.kvbatch.pack.PackKind;
import dev.kvbatch.pack.PackRule;
import dev.kvbatch.migrate.LegacyKeys;
import dev.kvbatch.store.MigrationPositions;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.Operation;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.batch.core.annotation.BeforeStep;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ItemReader;

/**
 * Lists the legacy keys of each map and rollup rule, by the literal text before the first
 * {@code {}} of its match, one page of up to 1000 keys per list call. Each rule's listing
 * starts where {@link LegacyKeys} last moved it (the page's cursor, skipping keys up to
 * the last one loaded), so a restart or the next run resumes there.
 *
 * <p>
 * Lists and reads are budgeted: the allowance is taken from the {@link DailyBudget} when
 * the step starts (only this step spends them while it runs), one list per page and one
 * read per key handed out. When either runs out the reader ends, the step completes with
 * what it loaded, and {@link #stoppedByBudget()} says so, as does the step's context
 * ({@value #STOPPED_BY_BUDGET}). The step's reader, so Spring Batch calls its
 * {@link BeforeStep} method. Not thread-safe.
 */
public class LegacyKeyReader implements ItemReader<LegacyKeys.Listed> {

	/** Set in the step\'s context when the day\'s budget stopped the listing. */
	public static final String STOPPED_BY_BUDGET = "load.stopped-by-budget";

	private static final Logger log = LoggerFactory.getLogger(LegacyKeyReader.class);

	static final int PAGE_SIZE = 1000;

	private final KvTarget target;

	private final LegacyKeys legacy;

	private final List<PackRule> rules;

	private final Deque<LegacyKeys.Listed> page = new ArrayDeque<>();

	private long lists;

	private long reads;

	private int rule = -1;

	private @Nullable String nextCursor;

	private boolean lastPage = true;

	private boolean stoppedByBudget;

	private @Nullable StepExecution step;

	public LegacyKeyReader(KvTarget target, LegacyKeys legacy, List<PackRule> rules, DailyBudget budget) {
		this.target = target;
		this.legacy = legacy;
		this.rules = rules.stream().filter(LegacyKeyReader::listable).toList();
		this.lists = budget.remaining(Operation.LIST);
		this.reads = budget.remaining(Operation.READ);
	}

	/** Remembers the step, whose context says when the budget stopped the listing. */
	@BeforeStep
	public void saveStep(StepExecution step) {
		this.step = step;
	}

	/** Map and rollup rules: the others have no prefix of their own to list. */
	static boolean listable(PackRule rule) {
		return (rule.kind() == PackKind.MAP || rule.kind() == PackKind.ROLLUP) && !prefix(rule).isEmpty();
	}

	/** The literal text before the first placeholder of a rule's match. */
	static String prefix(PackRule rule) {
		int brace = rule.match().indexOf('{');
		return (brace < 0) ? rule.match() : rule.match().substring(0, brace);
	}

	@Override
	public LegacyKeys.@Nullable Listed read() {
		while (true) {
			if (!this.page.isEmpty()) {
				if (this.reads <= 0) {
					return budgetSpent(Operation.READ);
				}
				this.reads--;
				return this.page.poll();
			}
			if (this.lastPage) {
				if (++this.rule >= this.rules.size()) {
					return null;
				}
				PackRule next = this.rules.get(this.rule);
				MigrationPositions.Position position = this.legacy.position(next.name()).orElse(null);
				if (!fetch(next, (position != null) ? position.listCursor() : null,
						(position != null) ? position.lastKey() : null)) {
					return budgetSpent(Operation.LIST);
				}
			}
			else if (!fetch(this.rules.get(this.rule), this.nextCursor, null)) {
				return budgetSpent(Operation.LIST);
			}
		}
	}

	/** Whether the lists or reads of the day ran out before the listing ended. */
	boolean stoppedByBudget() {
		return this.stoppedByBudget;
	}

	private boolean fetch(PackRule rule, @Nullable String cursor, @Nullable String after) {
		if (this.lists <= 0) {
			return false;
		}
		this.lists--;
		KvTarget.ListPage listed = this.target.list(prefix(rule), cursor, PAGE_SIZE);
		for (KvTarget.ListedKey key : listed.keys()) {
			if (after == null || compareUtf8(key.key(), after) > 0) {
				this.page.add(new LegacyKeys.Listed(rule.name(), key.key(), key.expiration(), cursor));
			}
		}
		this.nextCursor = listed.cursor();
		this.lastPage = listed.cursor() == null || listed.cursor().isEmpty();
		return true;
	}

	private LegacyKeys.@Nullable Listed budgetSpent(Operation operation) {
		log.warn("The day's budget of KV {}s is spent: the listing resumes at the next run",
				operation.name().toLowerCase(Locale.ROOT));
		this.stoppedByBudget = true;
		StepExecution step = this.step;
		if (step != null) {
			step.getExecutionContext().putLong(STOPPED_BY_BUDGET, 1L);
		}
		this.page.clear();
		this.rule = this.rules.size();
		this.lastPage = true;
		return null;
	}

	/** KV lists keys in UTF-8 byte order. */
	private static int compareUtf8(String a, String b) {
		return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
	}

}
