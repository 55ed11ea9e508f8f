package dev.kvbatch.jobs;

import java.io.IOException;

import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.SpoolIngester;

import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Loads complete spool files into the outbox, a bounded number of lines (and of their
 * characters) per transaction, then records the outbox high-water mark in the job's
 * context: the compress run applies rows up to it, and records staged later wait for the
 * next run. A restart keeps the mark it recorded.
 */
class IngestTasklet implements Tasklet {

	static final String HIGH_WATER = "outbox.highWater";

	private static final String UP_TO = "ingest.upTo";

	private final SpoolIngester ingester;

	private final Outbox outbox;

	private final int linesPerTransaction;

	private final long charsPerTransaction;

	IngestTasklet(SpoolIngester ingester, Outbox outbox, int linesPerTransaction, long charsPerTransaction) {
		this.ingester = ingester;
		this.outbox = outbox;
		this.linesPerTransaction = linesPerTransaction;
		this.charsPerTransaction = charsPerTransaction;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext context) throws IOException {
		StepExecution step = context.getStepContext().getStepExecution();
		// Files that arrive during the run wait for the next one, like rows staged after
		// the high-water mark.
		String upTo = step.getExecutionContext().getString(UP_TO, "");
		if (!step.getExecutionContext().containsKey(UP_TO)) {
			String last = this.ingester.lastReady();
			upTo = (last != null) ? last : "";
			step.getExecutionContext().putString(UP_TO, upTo);
		}
		SpoolIngester.Batch batch = upTo.isEmpty() ? new SpoolIngester.Batch(0, 0, 0, false)
				: this.ingester.ingestSome(this.linesPerTransaction, this.charsPerTransaction, upTo);
		// Every line read is written, rejected or dropped as a duplicate.
		for (long line = 0; line < batch.staged() + batch.rejected() + batch.duplicates(); line++) {
			contribution.incrementReadCount();
		}
		contribution.incrementWriteCount(batch.staged());
		contribution.incrementFilterCount(batch.duplicates());
		contribution.incrementReadSkipCount(batch.rejected());
		if (batch.more()) {
			return RepeatStatus.CONTINUABLE;
		}
		step.getJobExecution().getExecutionContext().putLong(HIGH_WATER, this.outbox.highWater());
		return RepeatStatus.FINISHED;
	}

}
