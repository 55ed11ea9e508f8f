package dev.kvbatch.cli;

import dev.kvbatch.MovableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.pack.PhysicalValue;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.local.LocalKvTarget;
import dev.kvbatch.kv.MeteredKvTarget;
import dev.kvbatch.metering.Ledger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example day staged in hourly slices, with compress every 5 minutes on a moved clock
 * and the shipped freshness bounds, against the same day with {@code within: 0}
 * everywhere: about a third of the writes, albums within 5 minutes, no breach, and the
 * same KV once {@code flush=all} has run.
 */
class FreshDayIntegrationTests {

	private static final LocalDate DAY = LocalDate.of(2026, 12, 1);

	private static final Instant START = DAY.atStartOfDay(ZoneOffset.UTC).toInstant();

	/** Past midnight, so that the day's webhook batch has closed, plus its grace. */
	private static final Instant END = START.plus(Duration.ofHours(25));

	@TempDir
	Path tmp;

	@Test
	void aFiveMinuteCadenceWithTheShippedBoundsWritesAboutAThirdAndEndsInTheSameState() throws Exception {
		Path everyRun = Files.createDirectories(this.tmp.resolve("jobs-every-run"));
		Files.writeString(everyRun.resolve("packing.yaml"), withoutBounds(shippedRules()));

		try (Day bounded = new Day(this.tmp.resolve("bounded"), Files.createDirectories(this.tmp.resolve("jobs")));
				Day unbounded = new Day(this.tmp.resolve("every-run"), everyRun)) {
			for (Instant tick = START; !tick.isAfter(END); tick = tick.plus(Duration.ofMinutes(5))) {
				boolean hourly = tick.getEpochSecond() % 3600 == 0;
				int slice = (int) Duration.between(START, tick).toHours() - 1;
				if (hourly && slice >= 0 && slice < 24) {
					bounded.stage(tick.minusSeconds(1), slice);
					unbounded.stage(tick.minusSeconds(1), slice);
				}
				bounded.compress(tick, Map.of());
				if (hourly) {
					unbounded.compress(tick, Map.of());
				}
			}
			Sent writes = bounded.puts;
			long albums = writes.count("^a\\d+$");
			long sync = writes.count("^(mobile-batch|sync-state|webhook-batch|metrics:hour):.*");
			System.out.printf(
					"fresh day: %d writes with the shipped bounds (sync families %d, albums %d, counter %d),"
							+ " %d with within: 0; album staleness max %d ms%n",
					writes.total(), sync, albums, writes.count("^__counter$"), unbounded.puts.total(),
					bounded.rows("SELECT MAX(sent_at - staged_at) FROM kv_write_age WHERE rule = 'direct'"));

			assertThat(writes.total()).as("writes a day with the bounds").isLessThanOrEqualTo(75);
			assertThat(sync).as("mobile, hash, webhook and metrics writes").isLessThanOrEqualTo(52);
			assertThat(unbounded.puts.total()).as("writes a day with within: 0 (about 205)").isGreaterThan(180);
			assertThat(albums).as("one write per album upload").isEqualTo(20);
			assertThat(writes.keys("^a\\d+$")).doesNotHaveDuplicates();
			assertThat(bounded.rows("SELECT MAX(sent_at - staged_at) FROM kv_write_age WHERE rule = 'direct'"))
				.as("album staleness, ms")
				.isLessThanOrEqualTo(Duration.ofMinutes(5).toMillis());
			assertThat(writes.count("^__counter$")).as("the counter, at most once a day").isLessThanOrEqualTo(1);
			assertThat(bounded.rows("SELECT COUNT(*) FROM kv_breach")).as("breaches").isZero();
			assertThat(bounded.rows("SELECT COUNT(*) FROM kv_write_age WHERE sent_at > due_at + 300000"))
				.as("writes later than their bound")
				.isZero();

			bounded.compress(END.plusSeconds(60), Map.of("flush", "all"));
			unbounded.compress(END.plusSeconds(60), Map.of());

			assertThat(bounded.rows("SELECT COUNT(*) FROM kv_dirty")).isZero();
			assertThat(bounded.snapshot()).as("KV after flush=all, against within: 0")
				.isEqualTo(unbounded.snapshot())
				.isNotEmpty();
		}
	}

	static String shippedRules() throws IOException {
		try (InputStream in = new ClassPathResource("jobs/packing.yaml").getInputStream()) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	/** The rules with every {@code flush} block taken out: every run. */
	static String withoutBounds(String rules) {
		String stripped = rules.replaceAll("(?m)^    flush:\\n(?:      .*\\n)+", "");
		assertThat(stripped).doesNotContain("    flush:");
		return stripped;
	}

	/** One kvbatch on its own data folder and rules, on a clock the test moves. */
	static final class Day implements AutoCloseable {

		final MovableClock clock = new MovableClock(START);

		final Sent puts = new Sent();

		private final ConfigurableApplicationContext context;

		Day(Path dataDir, Path jobsDir) {
			Seams.clock = this.clock;
			Seams.puts = this.puts;
			this.context = new SpringApplicationBuilder(KvBatchApplication.class).sources(Seams.class)
				.web(WebApplicationType.NONE)
				.run("--kvbatch.data-dir=" + dataDir, "--kvbatch.jobs-dir=" + jobsDir,
						"--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("kvbatch"),
						"--kvbatch.compress.interval=5m", "--spring.main.banner-mode=off", "--logging.level.root=WARN");
		}

		void stage(Instant at, int hour) throws Exception {
			this.clock.set(at);
			byte[] bytes = String.join("\n", new ExampleDay(DAY).hour(hour)).getBytes(StandardCharsets.UTF_8);
			this.context.getBean(Stager.class)
				.stage(List.of(new Stager.Source("hour-" + hour, new ByteArrayInputStream(bytes))), (key) -> {
				}, (rejection) -> {
					throw new AssertionError(rejection.message());
				});
		}

		void compress(Instant at, Map<String, String> parameters) throws Exception {
			this.clock.set(at);
			this.puts.at = at;
			assertThat(this.context.getBean(JobRuns.class).start("compress", parameters).getStatus())
				.isEqualTo(BatchStatus.COMPLETED);
		}

		long rows(String sql) {
			Long count = this.context.getBean(JdbcTemplate.class).queryForObject(sql, Long.class);
			return (count != null) ? count : 0;
		}

		/** Every key KV holds, with its value and expiration. */
		Map<String, KvTarget.StoredValue> snapshot() {
			KvTarget target = this.context.getBean(KvTarget.class);
			Map<String, KvTarget.StoredValue> values = new HashMap<>();
			String cursor = null;
			do {
				KvTarget.ListPage page = target.list("", cursor, 1000);
				target.bulkGet(page.keys().stream().map(KvTarget.ListedKey::key).toList())
					.forEach((value) -> values.put(value.key(), value));
				cursor = page.cursor();
			}
			while (cursor != null);
			return values;
		}

		@Override
		public void close() {
			this.context.close();
		}

	}

	/** The physical keys written, in order. */
	static final class Sent implements Consumer<List<PhysicalValue>> {

		final List<String> keys = new ArrayList<>();

		volatile Instant at = START;

		@Override
		public synchronized void accept(List<PhysicalValue> values) {
			values.forEach((value) -> this.keys.add(value.key()));
		}

		synchronized long total() {
			return this.keys.size();
		}

		synchronized long count(String regex) {
			return keys(regex).size();
		}

		synchronized List<String> keys(String regex) {
			return this.keys.stream().filter((key) -> key.matches(regex)).toList();
		}

	}

	/** The clock, and a target that counts the puts, of the context being built. */
	@Configuration(proxyBeanMethods = false)
	static class Seams {

		static MovableClock clock;

		static Sent puts;

		@Bean
		@Primary
		Clock movableClock() {
			return clock;
		}

		@Bean
		@Primary
		KvTarget countedTarget(JdbcTemplate jdbc, Ledger ledger) {
			Sent sent = puts;
			KvTarget local = new ForwardingKvTarget(new LocalKvTarget(jdbc, clock)) {
				@Override
				public List<String> put(List<PhysicalValue> values) {
					sent.accept(values);
					return super.put(values);
				}
			};
			return new MeteredKvTarget(local, ledger);
		}

	}

}
