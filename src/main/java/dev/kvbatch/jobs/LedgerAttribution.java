package dev.kvbatch.jobs;

import dev.kvbatch.metering.Ledger;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * Has the ledger name the running job execution on the rows of the KV calls a step sends,
 * so a run can tell what it sent ({@link Ledger#sentBy}). A step runs on one thread, from
 * its listeners' {@code beforeStep} to their {@code afterStep}; this attributes that
 * thread for that time, first among the step's listeners and until the last of them is
 * done. Registered on every step of every job.
 */
@Component
class LedgerAttribution implements StepExecutionListener, Ordered {

	private final Ledger ledger;

	LedgerAttribution(Ledger ledger) {
		this.ledger = ledger;
	}

	@Override
	public void beforeStep(StepExecution step) {
		this.ledger.attributeTo(step.getJobExecutionId());
	}

	@Override
	public @Nullable ExitStatus afterStep(StepExecution step) {
		this.ledger.attributeTo(null);
		return null;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
