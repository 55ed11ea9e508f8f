package dev.kvbatch.jobs;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import dev.kvbatch.JobNames;
import dev.kvbatch.JobNames.Steps;
import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.metering.Ledger;
import dev.kvbatch.stage.Outbox;
import dev.kvbatch.store.Cursors;
import dev.kvbatch.report.ReportMailer;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ItemWriter;
import org.springframework.batch.infrastructure.item.database.JdbcPagingItemReader;
import org.springframework.batch.infrastructure.item.database.Order;
import org.springframework.batch.infrastructure.item.database.builder.JdbcPagingItemReaderBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * {@code usage-report}: sum the ledger of the plan's period (and the chart's 14 days),
 * count the outbox backlog, then build the report of the day, write its files and mail
 * it. Job parameter {@code date=YYYY-MM-DD} (default: yesterday, UTC); {@code mail=true}
 * or {@code false} overrides mailing when {@code kvbatch.report.mail.to} is set.
 */
@Configuration(proxyBeanMethods = false)
class UsageReportJobConfiguration {

	/** Ledger or outbox rows per transaction: the steps only add them up. */
	private static final int CHUNK = 1000;

	@Bean
	Job usageReport(JobRepository jobs, Step usageLedgerStep, Step usageBacklogStep, Step usageReportStep,
			RunListener runs, ReportDay reportDay, ReportMailer mailer) {
		JobParameterRules rules = JobParameterRules.of(JobNames.USAGE_REPORT)
			.with("date", "date=YYYY-MM-DD", ReportDay::checkDate)
			.withBoolean("mail");
		return new JobBuilder(JobNames.USAGE_REPORT, jobs).validator((parameters) -> {
			rules.validate(parameters);
			ReportDay.checkMailing(parameters, mailer);
		})
			.listener(runs)
			.listener(reportDay)
			.start(usageLedgerStep)
			.next(usageBacklogStep)
			.next(usageReportStep)
			.build();
	}

	@Bean
	Step usageLedgerStep(JobRepository jobs, PlatformTransactionManager tm,
			JdbcPagingItemReader<ReportTotals.LedgerRow> ledgerReader, ItemWriter<ReportTotals.LedgerRow> ledgerWriter,
			Progress progress, LedgerAttribution ledger) {
		return new StepBuilder(Steps.LEDGER, jobs).<ReportTotals.LedgerRow, ReportTotals.LedgerRow>chunk(CHUNK)
			.transactionManager(tm)
			.reader(ledgerReader)
			.writer(ledgerWriter)
			.listener(ledger)
			.listener(ReportTotals.LEDGER)
			.listener(progress)
			.build();
	}

	@Bean
	Step usageBacklogStep(JobRepository jobs, PlatformTransactionManager tm,
			JdbcPagingItemReader<ReportTotals.PendingRow> pendingReader,
			ItemWriter<ReportTotals.PendingRow> pendingWriter, Progress progress, LedgerAttribution ledger) {
		return new StepBuilder(Steps.BACKLOG, jobs).<ReportTotals.PendingRow, ReportTotals.PendingRow>chunk(CHUNK)
			.transactionManager(tm)
			.reader(pendingReader)
			.writer(pendingWriter)
			.listener(ledger)
			.listener(ReportTotals.BACKLOG)
			.listener(progress)
			.build();
	}

	@Bean
	Step usageReportStep(JobRepository jobs, PlatformTransactionManager tm, UsageReportTasklet tasklet,
			LedgerAttribution ledger) {
		return new StepBuilder(Steps.REPORT, jobs).tasklet(tasklet, tm).listener(ledger).build();
	}

	/** Adds the ledger rows to the step's sums. */
	@Bean
	@StepScope
	ItemWriter<ReportTotals.LedgerRow> ledgerWriter(@Value("#{stepExecution}") StepExecution step) {
		return ReportTotals.ledgerWriter(step);
	}

	/** Counts the outbox rows into the step's backlog. */
	@Bean
	@StepScope
	ItemWriter<ReportTotals.PendingRow> pendingWriter(@Value("#{stepExecution}") StepExecution step) {
		return ReportTotals.pendingWriter(step);
	}

	/**
	 * The keys the target was billed per day and operation of the days the report needs,
	 * from the ledger's detail and, for days whose detail is rolled up, its daily rows.
	 */
	@Bean
	@StepScope
	JdbcPagingItemReader<ReportTotals.LedgerRow> ledgerReader(DataSource dataSource, KvBatchProperties properties,
			@Value("#{jobExecutionContext['" + ReportDay.FROM + "']}") String from,
			@Value("#{jobExecutionContext['" + ReportDay.DATE + "']}") String to) throws Exception {
		return new JdbcPagingItemReaderBuilder<ReportTotals.LedgerRow>().name("ledgerReader")
			.dataSource(dataSource)
			.selectClause("usage_day, operation, keys")
			.fromClause(Ledger.KEYS_PER_DAY)
			.parameterValues(
					Map.of("from", Date.valueOf(from), "to", Date.valueOf(to), "target", properties.target().label()))
			.sortKeys(sortedBy("usage_day", "operation"))
			.rowMapper((rs, row) -> new ReportTotals.LedgerRow(rs.getObject(1, LocalDate.class), rs.getString(2),
					rs.getLong(3)))
			.pageSize(CHUNK)
			.build();
	}

	/** Outbox rows past the cursor that were staged by the report's as-of time. */
	@Bean
	@StepScope
	JdbcPagingItemReader<ReportTotals.PendingRow> pendingReader(DataSource dataSource, Cursors cursors,
			@Value("#{jobExecutionContext['" + ReportDay.AS_OF + "']}") Long asOf) throws Exception {
		return Outbox.STAGED_BEFORE.map(ReportTotals.PendingRow::new)
			.reader("pendingReader", dataSource)
			.parameterValues(Map.of("from", cursors.position(Cursors.OUTBOX), "asOf", asOf))
			.pageSize(CHUNK)
			.build();
	}

	/** Sort keys in the order given, ascending: the paging order. */
	private static Map<String, Order> sortedBy(String... columns) {
		Map<String, Order> keys = new LinkedHashMap<>();
		for (String column : columns) {
			keys.put(column, Order.ASCENDING);
		}
		return keys;
	}

}
