package dev.kvbatch.jobs;

import dev.kvbatch.migrate.LegacyKeyReader;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

import javax.sql.DataSource;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.pack.PackingRules;
import dev.kvbatch.migrate.LegacyKeys;
import dev.kvbatch.store.MigratedEntries;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.metering.DailyBudget;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.job.flow.FlowExecutionStatus;
import org.springframework.batch.core.job.flow.JobExecutionDecider;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.database.JdbcPagingItemReader;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * {@code migrate}: list the legacy keys of each map and rollup rule, read them 100 per
 * bulk read, load them into the logical store with their expirations (moving each rule's
 * listing position with the chunk), then flush the packed keys under the daily budget.
 * Legacy keys stay in KV.
 */
@Configuration(proxyBeanMethods = false)
class MigrateJobConfiguration {

	/** Keys per chunk: one bulk read of KV's maximum. */
	static final int CHUNK = 100;

	/** The event time of {@code {at:day}} placements. */
	static final String AT = "at";

	static final String STOPPED_BY_BUDGET = LegacyKeyReader.STOPPED_BY_BUDGET;

	static final String DELETE_LEGACY = Steps.DELETE_LEGACY;

	private static final String DELETED = "delete-legacy.deleted";

	private static final List<String> COUNTS = List.of("load.loaded", "load.rejected", "load.skipped");

	/**
	 * Load, flush, and with {@code delete-legacy=true} only (a decider, read from the job
	 * parameters) the deletion of the legacy keys verify passed.
	 */
	@Bean
	Job migrate(JobRepository jobs, Step loadStep, Step flushStep, Step deleteLegacyStep, RunListener runs) {
		JobExecutionDecider deleting = (job, step) -> new FlowExecutionStatus(
				JobParameterRules.isTrue(job.getJobParameters().getString(DELETE_LEGACY)) ? "DELETE" : "KEEP");
		return new JobBuilder(JobNames.MIGRATE, jobs)
			.validator(JobParameterRules.of(JobNames.MIGRATE)
				.with(AT, "at=YYYY-MM-DD", MigrateJobConfiguration::checkAt)
				.withBoolean(DELETE_LEGACY))
			.listener(runs)
			.start(loadStep)
			.next(flushStep)
			.next(deleting)
			.on("DELETE")
			.to(deleteLegacyStep)
			.from(deleting)
			.on("*")
			.end()
			.end()
			.build();
	}

	/** Deletes the legacy keys verify passed, in budgeted batches. */
	@Bean
	Step deleteLegacyStep(JobRepository jobs, PlatformTransactionManager tm,
			JdbcPagingItemReader<String> verifiedReader, ItemWriter<String> legacyDeleter, Progress progress,
			LedgerAttribution ledger) {
		return new StepBuilder(Steps.DELETE_LEGACY, jobs).<String, String>chunk(CHUNK)
			.transactionManager(tm)
			.reader(verifiedReader)
			.writer(legacyDeleter)
			.listener(ledger)
			.listener(progress)
			.build();
	}

	/** Deletes a chunk of verified legacy keys, counting them in the step's context. */
	@Bean
	@StepScope
	ItemWriter<String> legacyDeleter(LegacyKeys legacy, @Value("#{stepExecution}") StepExecution step) {
		return (chunk) -> {
			ExecutionContext counts = step.getExecutionContext();
			counts.putLong(DELETED, counts.getLong(DELETED, 0L) + legacy.deleteVerified(List.copyOf(chunk.getItems())));
		};
	}

	/** Verified migrated keys whose legacy key is still there, in key order. */
	@Bean
	@StepScope
	JdbcPagingItemReader<String> verifiedReader(DataSource dataSource) throws Exception {
		return MigratedEntries.VERIFIED_PAGE.reader("verifiedReader", dataSource)
			.pageSize(CHUNK)
			.saveState(false)
			.build();
	}

	@Bean
	Step loadStep(JobRepository jobs, PlatformTransactionManager tm, LegacyKeyReader legacyKeyReader,
			ItemWriter<LegacyKeys.Listed> legacyLoader, Progress progress, LedgerAttribution ledger) {
		return new StepBuilder(Steps.LOAD, jobs).<LegacyKeys.Listed, LegacyKeys.Listed>chunk(CHUNK)
			.transactionManager(tm)
			.reader(legacyKeyReader)
			.writer(legacyLoader)
			.listener(ledger)
			.listener(progress)
			.build();
	}

	/**
	 * Loads a chunk of legacy keys into the logical store, counting the outcome in the
	 * step's context.
	 */
	@Bean
	@StepScope
	ItemWriter<LegacyKeys.Listed> legacyLoader(LegacyKeys legacy, @Value("#{stepExecution}") StepExecution step) {
		Instant eventTime = eventTime(step.getJobParameters());
		return (chunk) -> count(step, legacy.load(List.copyOf(chunk.getItems()), eventTime));
	}

	@Bean
	@StepScope
	LegacyKeyReader legacyKeyReader(KvTarget target, LegacyKeys legacy, PackingRules rules, DailyBudget budget) {
		return new LegacyKeyReader(target, legacy, rules.rules(), budget);
	}

	private static void count(StepExecution step, LegacyKeys.Outcome outcome) {
		ExecutionContext counts = step.getExecutionContext();
		long[] values = { outcome.loaded(), outcome.rejected(), outcome.skipped() };
		for (int i = 0; i < COUNTS.size(); i++) {
			counts.putLong(COUNTS.get(i), counts.getLong(COUNTS.get(i), 0L) + values[i]);
		}
	}

	/** The {@code at} parameter: a day, an instant or epoch milliseconds. */
	static void checkAt(String at) throws InvalidJobParametersException {
		try {
			eventTime(new JobParametersBuilder().addString(AT, at).toJobParameters());
		}
		catch (DateTimeParseException | NumberFormatException ex) {
			throw new InvalidJobParametersException(
					"job parameter at must be YYYY-MM-DD, an ISO-8601 instant or epoch milliseconds, was \"" + at
							+ "\"");
		}
	}

	/**
	 * A legacy key has no event time: a day-bucketed key takes the {@code at} parameter
	 * (a day means its start, UTC), else the run's start.
	 */
	static Instant eventTime(JobParameters parameters) {
		String at = parameters.getString(AT);
		if (at == null) {
			at = parameters.getString("run.at");
		}
		if (at == null) {
			throw new IllegalStateException("no run.at parameter");
		}
		if (at.chars().allMatch(Character::isDigit)) {
			return Instant.ofEpochMilli(Long.parseLong(at));
		}
		if (at.length() == 10) {
			return LocalDate.parse(at).atStartOfDay(ZoneOffset.UTC).toInstant();
		}
		return Instant.parse(at);
	}

}
