package dev.kvbatch.jobs;

import java.io.PrintStream;

import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.stereotype.Component;

/**
 * Progress of long steps on stderr, at most every two seconds, so that stdout stays for
 * results. Quiet for steps that finish quickly.
 */
@Component
class Progress implements StepExecutionListener, ChunkListener<Object, Object> {

	private static final long INTERVAL_NANOS = 2_000_000_000L;

	private final PrintStream err = System.err;

	private volatile @Nullable StepExecution step;

	private volatile long lastPrint;

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.step = stepExecution;
		this.lastPrint = System.nanoTime();
	}

	@Override
	public @Nullable ExitStatus afterStep(StepExecution stepExecution) {
		if (System.nanoTime() - this.lastPrint > INTERVAL_NANOS) {
			print(stepExecution);
		}
		return null;
	}

	@Override
	public void afterChunk(Chunk<Object> chunk) {
		tick();
	}

	@Override
	public void afterChunk(ChunkContext context) {
		tick();
	}

	private void tick() {
		StepExecution current = this.step;
		long now = System.nanoTime();
		if (current != null && now - this.lastPrint > INTERVAL_NANOS) {
			this.lastPrint = now;
			print(current);
		}
	}

	private void print(StepExecution execution) {
		this.err.printf("%s › %s: %,d read, %,d written%n", execution.getJobExecution().getJobInstance().getJobName(),
				execution.getStepName(), execution.getReadCount(), execution.getWriteCount());
	}

}
