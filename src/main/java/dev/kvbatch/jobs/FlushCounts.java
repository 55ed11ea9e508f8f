package dev.kvbatch.jobs;

import java.util.List;

import dev.kvbatch.flush.Flusher;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.stereotype.Component;

/**
 * Keeps the flush step's outcome in its execution context ({@code flush.written},
 * {@code flush.deleted}, {@code flush.unchanged}, {@code flush.pending},
 * {@code flush.deferred}, {@code flush.parked}, {@code flush.breaches}), where the run
 * summary and the demo read it. Counts are per execution: a restart starts them again,
 * though it restores the failed execution's context.
 */
@Component
class FlushCounts implements StepExecutionListener {

	static final String WRITTEN = "flush.written";

	private static final List<String> KEYS = List.of(WRITTEN, "flush.deleted", "flush.unchanged", "flush.pending",
			"flush.deferred", "flush.parked", "flush.breaches");

	@Override
	public void beforeStep(StepExecution step) {
		KEYS.forEach((key) -> step.getExecutionContext().putLong(key, 0L));
	}

	/**
	 * Adds one chunk's outcome to the step's counts; called from the writer, inside the
	 * step.
	 */
	void add(StepExecution step, Flusher.Outcome outcome) {
		ExecutionContext counts = step.getExecutionContext();
		long[] values = { outcome.written(), outcome.deleted(), outcome.unchanged(), outcome.pending(),
				outcome.deferred(), outcome.parked(), outcome.breaches() };
		for (int i = 0; i < KEYS.size(); i++) {
			counts.putLong(KEYS.get(i), counts.getLong(KEYS.get(i)) + values[i]);
		}
	}

}
