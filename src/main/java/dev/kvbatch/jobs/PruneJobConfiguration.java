package dev.kvbatch.jobs;

import java.time.Clock;
import java.util.Map;

import javax.sql.DataSource;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.store.ExpiredEntries;
import dev.kvbatch.store.ExpiredEntry;
import dev.kvbatch.store.LogicalStore;
import dev.kvbatch.store.PhysicalViews;
import dev.kvbatch.store.Retention;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.FlowExecutionStatus;
import org.springframework.batch.core.job.flow.JobExecutionDecider;
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
 * {@code prune}: remove expired logical entries and mark their physical keys; flush them
 * (rewrites under the same daily budget as compress, deletes only for keys KV has not
 * expired itself); then trim every local table to its retention. With
 * {@code dry-run=true} it changes nothing and reports what it would remove and cost.
 */
@Configuration(proxyBeanMethods = false)
class PruneJobConfiguration {

	@Bean
	Job prune(JobRepository jobs, Step expireStep, Step flushStep, Step retentionStep, RunListener runs) {
		JobExecutionDecider mode = (job,
				step) -> new FlowExecutionStatus(JobRuns.isDryRun(job.getJobParameters()) ? "DRY_RUN" : "PRUNE");
		return new JobBuilder(JobNames.PRUNE, jobs)
			.validator(JobParameterRules.of(JobNames.PRUNE).withBoolean(JobRuns.DRY_RUN))
			.listener(runs)
			.start(expireStep)
			.next(mode)
			.on("DRY_RUN")
			.to(retentionStep)
			.from(mode)
			.on("*")
			.to(flushStep)
			.next(retentionStep)
			.end()
			.build();
	}

	@Bean
	Step expireStep(JobRepository jobs, PlatformTransactionManager tm, JdbcPagingItemReader<ExpiredEntry> expiredReader,
			ExpiredEntryWriter writer, CompressProperties properties, Progress progress, LedgerAttribution ledger) {
		return new StepBuilder(Steps.EXPIRE, jobs).<ExpiredEntry, ExpiredEntry>chunk(properties.chunkSize())
			.transactionManager(tm)
			.reader(expiredReader)
			.writer(writer)
			.listener(ledger)
			.listener(progress)
			.build();
	}

	@Bean
	Step retentionStep(JobRepository jobs, PlatformTransactionManager tm, RetentionTasklet tasklet,
			LedgerAttribution ledger) {
		return new StepBuilder(Steps.RETENTION, jobs).tasklet(tasklet, tm).listener(ledger).build();
	}

	@Bean
	@StepScope
	ExpiredEntryWriter expiredEntryWriter(ExpiredEntries entries, PhysicalViews views,
			@Value("#{stepExecution}") StepExecution step) {
		return new ExpiredEntryWriter(entries, views, JobRuns.isDryRun(step.getJobParameters()), step);
	}

	@Bean
	@StepScope
	RetentionTasklet retentionTasklet(Retention retention,
			@Value("#{jobParameters['" + JobRuns.DRY_RUN + "']}") String dryRun) {
		return new RetentionTasklet(retention, JobRuns.isDryRun(dryRun));
	}

	/**
	 * Entries past their expiration now, in key order (rollup buckets only once wholly
	 * expired).
	 */
	@Bean
	@StepScope
	JdbcPagingItemReader<ExpiredEntry> expiredReader(DataSource dataSource, Clock clock, CompressProperties properties)
			throws Exception {
		return LogicalStore.EXPIRED.reader("expiredReader", dataSource)
			.parameterValues(Map.of("now", clock.instant().getEpochSecond()))
			.pageSize(properties.chunkSize())
			// Removed rows drop out of the query, and the key order makes a restart's
			// re-read harmless.
			.saveState(false)
			.build();
	}

}
