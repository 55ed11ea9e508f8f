package dev.kvbatch.jobs;

import java.time.Clock;
import java.util.Map;

import javax.sql.DataSource;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.stage.SpoolIngester;
import dev.kvbatch.store.Cursors;
import dev.kvbatch.store.DirtyKey;
import dev.kvbatch.store.DirtyKeys;
import dev.kvbatch.flush.Flusher;
import dev.kvbatch.store.LogicalStore;
import dev.kvbatch.store.PhysicalViews;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.database.JdbcPagingItemReader;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * {@code compress}: ingest the spool folder, apply the outbox to the logical store up to
 * the high-water mark taken after ingest, then flush the dirty physical keys to the
 * target in bulk. {@code ingest} is its first step alone.
 */
@Configuration(proxyBeanMethods = false)
class CompressJobConfiguration {

	/** Outbox rows per read query: short queries, long enough to amortise each. */
	private static final int PAGE_SIZE = 10_000;

	@Bean
	Job compress(JobRepository jobs, Step ingestStep, Step applyStep, Step flushStep, RunListener runs) {
		return new JobBuilder(JobNames.COMPRESS, jobs)
			.validator(JobParameterRules.of(JobNames.COMPRESS)
				.with(FlushHorizon.FLUSH, "flush=all", (value) -> FlushHorizon.requireAll(value)))
			.listener(runs)
			.start(ingestStep)
			.next(applyStep)
			.next(flushStep)
			.build();
	}

	@Bean
	Job ingest(JobRepository jobs, Step ingestStep, RunListener runs) {
		return new JobBuilder(JobNames.INGEST, jobs).validator(JobParameterRules.of(JobNames.INGEST))
			.listener(runs)
			.start(ingestStep)
			.build();
	}

	@Bean
	Step ingestStep(JobRepository jobs, PlatformTransactionManager tm, SpoolIngester ingester, Outbox outbox,
			CompressProperties properties, Progress progress, LedgerAttribution ledger) {
		return new StepBuilder(Steps.INGEST, jobs)
			.tasklet(new IngestTasklet(ingester, outbox, properties.ingestLines(), properties.ingestChars()), tm)
			.listener(ledger)
			.listener((StepExecutionListener) progress)
			.build();
	}

	@Bean
	Step applyStep(JobRepository jobs, PlatformTransactionManager tm, CoalescingOutboxReader outboxReader,
			ApplyWriter applyWriter, CompressProperties properties, Progress progress, LedgerAttribution ledger) {
		return new StepBuilder(Steps.APPLY, jobs).<CoalescingOutboxReader.Item, CoalescingOutboxReader.Item>chunk(
				properties.chunkSize())
			.transactionManager(tm)
			.reader(outboxReader)
			.writer(applyWriter)
			.listener(ledger)
			.listener(progress)
			.build();
	}

	/** Applies the chunk, its values within the chunk's bytes. */
	@Bean
	@StepScope
	ApplyWriter applyWriter(LogicalStore store, Outbox outbox, CoalescingOutboxReader outboxReader,
			CompressProperties properties) {
		return new ApplyWriter(store, outbox, outboxReader, properties.flushBytes());
	}

	@Bean
	Step flushStep(JobRepository jobs, PlatformTransactionManager tm, JdbcPagingItemReader<DirtyKey> dirtyReader,
			ByteBoundedFlush flush, CompressProperties properties, Progress progress, FlushCounts counts,
			LedgerAttribution ledger) {
		return new StepBuilder(Steps.FLUSH, jobs).<DirtyKey, ByteBoundedFlush.Planned>chunk(properties.chunkSize())
			.transactionManager(tm)
			.reader(dirtyReader)
			.processor(flush)
			.writer(flush)
			.listener(ledger)
			.listener(progress)
			.listener(counts)
			.build();
	}

	/** Plans and sends the dirty keys, a chunk's values within the flush's bytes. */
	@Bean
	@StepScope
	ByteBoundedFlush flushChunks(PhysicalViews views, Flusher flusher, FlushCounts counts,
			CompressProperties properties, Clock clock, @Value("#{stepExecution}") StepExecution step) {
		JobExecution execution = step.getJobExecution();
		return new ByteBoundedFlush(views, flusher, counts, step, properties.flushBytes(), FlushHorizon
			.due(execution.getJobInstance().getJobName(), execution.getJobParameters(), properties.interval(), clock));
	}

	/**
	 * The last row of each logical key, window by window, past the cursor up to the
	 * high-water mark.
	 */
	@Bean
	@StepScope
	CoalescingOutboxReader outboxReader(Outbox outbox, Cursors cursors, CompressProperties properties,
			@Value("#{jobExecutionContext['" + IngestTasklet.HIGH_WATER + "']}") Long to) {
		return new CoalescingOutboxReader(outbox, cursors, to, PAGE_SIZE, properties.windowKeys(),
				properties.windowBytes(), properties.flushBytes());
	}

	/**
	 * Dirty physical keys whose deadline comes before the next run, earliest deadline
	 * first: one indexed query when none is.
	 */
	@Bean
	@StepScope
	JdbcPagingItemReader<DirtyKey> dirtyReader(DataSource dataSource, CompressProperties properties, Clock clock,
			@Value("#{stepExecution.jobExecution.jobInstance.jobName}") String job,
			@Value("#{stepExecution.jobExecution.jobParameters}") JobParameters parameters) throws Exception {
		return DirtyKeys.DUE.reader("dirtyReader", dataSource)
			.parameterValues(Map.of("horizon", FlushHorizon.of(job, parameters, properties.interval(), clock)))
			.pageSize(properties.chunkSize())
			.saveState(false)
			.build();
	}

}
