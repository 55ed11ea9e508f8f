package dev.kvbatch.cli;

import dev.kvbatch.MovableClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.stage.IdempotencyIndex;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.local.LocalKvTarget;
import dev.kvbatch.kv.MeteredKvTarget;
import dev.kvbatch.metering.Ledger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Thirty simulated days of the example workload with its TTLs: staged in eight-hour
 * slices with a compress after each and a prune every night. KV is never sent a delete
 * for a key it has already expired itself, and every local table stays within its
 * retention.
 */
@SpringBootTest(classes = { KvBatchApplication.class, ThirtyDaysIntegrationTests.Seams.class },
		properties = { "kvbatch.retention.outbox=1d", "kvbatch.retention.idempotency-ids=3d",
				"kvbatch.retention.ledger-detail=3d", "kvbatch.retention.ledger-daily=10d" })
class ThirtyDaysIntegrationTests {

	private static final Instant START = Instant.parse("2026-10-01T00:00:00Z");

	private static final int SLICE_HOURS = 8;

	@TempDir
	static Path dataDir;

	@DynamicPropertySource
	static void dataDir(DynamicPropertyRegistry registry) {
		registry.add("kvbatch.data-dir", dataDir::toString);
		registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dataDir.resolve("kvbatch"));
	}

	@Autowired
	Stager stager;

	@Autowired
	JobRuns runs;

	@Autowired
	IdempotencyIndex ids;

	@Autowired
	MovableClock clock;

	@Autowired
	DeleteWatch deletes;

	@Autowired
	Ledger ledger;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void kvIsNeverSentADeleteForAKeyItExpiredItselfAndLocalTablesStayBounded() throws Exception {
		for (int day = 0; day < 30; day++) {
			LocalDate date = LocalDate.ofInstant(START, ZoneOffset.UTC).plusDays(day);
			ExampleDay example = new ExampleDay(date);
			for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
				this.clock.set(START.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour)).plusSeconds(3599));
				List<String> lines = new ArrayList<>(example.hour(hour));
				if (hour % SLICE_HOURS != SLICE_HOURS - 1) {
					continue;
				}
				for (int earlier = hour - SLICE_HOURS + 1; earlier < hour; earlier++) {
					lines.addAll(example.hour(earlier));
				}
				stage(lines);
				assertThat(this.runs.start("compress", Map.of()).getStatus()).isEqualTo(BatchStatus.COMPLETED);
			}
			this.clock.set(START.plus(Duration.ofDays(day + 1)).minusSeconds(1));
			assertThat(this.runs.start("prune", Map.of()).getStatus()).isEqualTo(BatchStatus.COMPLETED);
		}

		assertThat(this.deletes.expiredByKv).as("deletes of keys KV had already expired").isEmpty();
		assertThat(this.deletes.sent).as("no key is emptied early: webhook days and rollup hours are left to KV")
			.isZero();
		Instant end = this.clock.instant();
		long stagedPerDay = ExampleDay.MAPPING_PUTS + ExampleDay.HASH_PUTS + ExampleDay.WEBHOOK_PUTS
				+ ExampleDay.METRIC_PUTS + ExampleDay.UPLOADS + ExampleDay.MAPPING_DELETES + ExampleDay.HASH_DELETES
				+ ExampleDay.WEBHOOK_DELETES;
		assertThat(rows("SELECT COUNT(*) FROM kv_outbox")).as("the last day's rows, and the slice at the cutoff")
			.isGreaterThan(stagedPerDay)
			.isLessThan(2 * stagedPerDay);
		assertThat(this.ids.countBefore(Instant.MAX)).as("three days of webhook ids, and the slice at the cutoff")
			.isGreaterThanOrEqualTo(3 * ExampleDay.WEBHOOK_PUTS)
			.isLessThan(4 * ExampleDay.WEBHOOK_PUTS);
		assertThat(rows("SELECT COUNT(DISTINCT usage_day) FROM kv_ledger")).isLessThanOrEqualTo(4);
		assertThat(rows("SELECT COUNT(*) FROM kv_ledger_daily WHERE usage_day < ?",
				LocalDate.ofInstant(end, ZoneOffset.UTC).minusDays(10)))
			.isZero();
		assertThat(rows("SELECT COUNT(*) FROM kv_local WHERE expires_at <= ?", end.getEpochSecond())).isZero();
		assertThat(
				rows("SELECT COUNT(*) FROM kv_entry WHERE expires_at <= ? AND kind <> 'ROLLUP'", end.getEpochSecond()))
			.isZero();
		assertThat(this.ledger.spentOn(LocalDate.ofInstant(end, ZoneOffset.UTC), "local")
			.get(dev.kvbatch.metering.Operation.WRITE)).isPositive();
	}

	private void stage(List<String> lines) throws Exception {
		byte[] bytes = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
		this.stager.stage(List.of(new Stager.Source("slice", new ByteArrayInputStream(bytes))), (key) -> {
		}, (rejection) -> {
			throw new AssertionError(rejection.message());
		});
	}

	private long rows(String sql, Object... params) {
		Long count = this.jdbc.queryForObject(sql, Long.class, params);
		return (count != null) ? count : 0;
	}

	/**
	 * Checks each delete against what KV holds: a key KV has already expired must never
	 * cost a delete.
	 */
	static final class DeleteWatch extends ForwardingKvTarget {

		final List<String> expiredByKv = new ArrayList<>();

		long sent;

		DeleteWatch(KvTarget local) {
			super(local);
		}

		@Override
		public List<String> delete(List<String> keys) {
			this.sent += keys.size();
			keys.stream().filter((key) -> get(key).isEmpty()).forEach(this.expiredByKv::add);
			return super.delete(keys);
		}

	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Seams {

		@Bean
		@Primary
		MovableClock movableClock() {
			return new MovableClock(START);
		}

		@Bean
		DeleteWatch deleteWatch(JdbcTemplate jdbc, MovableClock clock) {
			return new DeleteWatch(new LocalKvTarget(jdbc, clock));
		}

		@Bean
		@Primary
		KvTarget watchedTarget(DeleteWatch watch, Ledger ledger) {
			return new MeteredKvTarget(watch, ledger);
		}

	}

}
