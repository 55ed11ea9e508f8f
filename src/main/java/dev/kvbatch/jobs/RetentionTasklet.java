package dev.kvbatch.jobs;

import dev.kvbatch.store.Retention;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Trims each kind of local data in turn, one bounded batch per transaction, and counts
 * what went in the step's context ({@code retention.outbox}, …). A dry run counts what is
 * due instead. Step-scoped.
 */
class RetentionTasklet implements Tasklet {

	private static final String NEXT_KIND = "retention.next";

	private final Retention retention;

	private final boolean dryRun;

	RetentionTasklet(Retention retention, boolean dryRun) {
		this.retention = retention;
		this.dryRun = dryRun;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext context) {
		ExecutionContext state = context.getStepContext().getStepExecution().getExecutionContext();
		Retention.Kind[] kinds = Retention.Kind.values();
		int next = state.getInt(NEXT_KIND, 0);
		if (next >= kinds.length) {
			return RepeatStatus.FINISHED;
		}
		Retention.Kind kind = kinds[next];
		String count = "retention." + kind.label();
		long removed = this.dryRun ? this.retention.due(kind) : this.retention.trimBatch(kind);
		state.putLong(count, state.getLong(count, 0L) + removed);
		contribution.incrementWriteCount(removed);
		if (this.dryRun || removed == 0) {
			state.putInt(NEXT_KIND, next + 1);
		}
		return RepeatStatus.CONTINUABLE;
	}

}
