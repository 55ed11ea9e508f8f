package dev.kvbatch.cli;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.jobs.JobRuns;
import dev.kvbatch.stage.StageSummary;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.kv.cloudflare.FakeCloudflareKv;
import dev.kvbatch.kv.KvTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example day with an id on every upload, in which 4 % of the records that carry an
 * id are sent a second time, unchanged (some in the same hour, some an hour later), as a
 * producer does when a {@code stage} call timed out: with a compress after each hour it
 * ends with exactly the KV state of a single send, on the embedded target and on
 * Cloudflare's, and the counter equals the number of uploads.
 */
class RetriedDayIntegrationTests {

	private static final LocalDate DAY = LocalDate.of(2026, 11, 23);

	private static final AtomicReference<Instant> NOW = new AtomicReference<>();

	@TempDir
	Path tmp;

	private FakeCloudflareKv retried;

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@BeforeEach
	void startKv() {
		// KV expires keys by the day the test moves through, not by the wall clock.
		this.retried = FakeCloudflareKv.startServer(MovedClock.CLOCK);
	}

	@AfterEach
	void stop() {
		this.contexts.forEach(ConfigurableApplicationContext::close);
		this.retried.stopServer();
	}

	@Test
	void retriedRecordsEndInTheKvStateOfASingleSendOnBothTargets() throws Exception {
		// Cloudflare's target ends where the embedded one does for the same input
		// (CloudflareCompressIntegrationTests): one single send is the reference for
		// both.
		ConfigurableApplicationContext localOnce = context("local-once", null);
		ConfigurableApplicationContext localRetried = context("local-retried", null);
		ConfigurableApplicationContext cloudRetried = context("cloud-retried", this.retried);
		Day day = new Day();
		List<String> retryOutput = new ArrayList<>();

		for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
			NOW.set(DAY.atStartOfDay(ZoneOffset.UTC).toInstant().plus(Duration.ofHours(hour).plusMinutes(30)));
			List<String> once = day.lines(hour);
			List<String> withRetries = day.withRetries(hour);
			assertThat(stage(localOnce, once, new ArrayList<>()).duplicates()).isZero();
			for (ConfigurableApplicationContext context : List.of(localRetried, cloudRetried)) {
				List<String> keys = new ArrayList<>();
				StageSummary summary = stage(context, withRetries, keys);
				assertThat(summary.duplicates()).as("hour " + hour).isEqualTo(withRetries.size() - once.size());
				if (context == localRetried) {
					retryOutput.addAll(keys);
				}
			}
			NOW.set(NOW.get().plus(Duration.ofMinutes(5)));
			for (ConfigurableApplicationContext context : this.contexts) {
				assertThat(context.getBean(JobRuns.class).start("compress", Map.of()).getStatus())
					.isEqualTo(BatchStatus.COMPLETED);
			}
		}

		assertThat(day.retries).isEqualTo(7);
		assertThat(retryOutput.stream().filter((line) -> line.endsWith(" (already staged)"))).hasSize(7);
		assertThat(retryOutput.stream().filter((line) -> line.startsWith("a{seq} -> ") && line.endsWith("staged)")))
			.as("a retried upload is told the key it got the first time")
			.isNotEmpty()
			.allSatisfy((line) -> assertThat(retryOutput).contains(line.replace(" (already staged)", "")));
		assertThat(retryOutput.stream().filter((line) -> line.startsWith("a{seq} -> ") && !line.endsWith("staged)")))
			.hasSize(ExampleDay.UPLOADS)
			.last()
			.isEqualTo("a{seq} -> a20");
		Map<String, KvTarget.StoredValue> local = snapshot(localOnce);
		assertThat(local.keySet()).hasSize(50).contains("a20").doesNotContain("a21");
		assertThat(local.get("__counter").value()).isEqualTo(Integer.toString(ExampleDay.UPLOADS));
		assertThat(snapshot(localRetried)).isEqualTo(local);
		Map<String, FakeCloudflareKv.Stored> single = new HashMap<>();
		local.forEach(
				(key, stored) -> single.put(key, new FakeCloudflareKv.Stored(stored.value(), stored.expiration())));
		assertThat(this.retried.snapshot()).isEqualTo(single);
	}

	private StageSummary stage(ConfigurableApplicationContext context, List<String> lines, List<String> keys)
			throws Exception {
		byte[] input = String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
		return context.getBean(Stager.class)
			.stage(List.of(new Stager.Source("hour", new ByteArrayInputStream(input))), keys::add, (rejection) -> {
				throw new AssertionError(rejection.message());
			});
	}

	private ConfigurableApplicationContext context(String name, FakeCloudflareKv kv) {
		Path data = this.tmp.resolve(name);
		List<String> args = new ArrayList<>(
				List.of("--kvbatch.data-dir=" + data, "--kvbatch.jobs-dir=" + CliRun.noJobsDir(data),
						"--spring.datasource.url=jdbc:h2:file:" + data.resolve("kvbatch")));
		if (kv != null) {
			args.addAll(List.of("--kvbatch.target=cloudflare",
					"--kvbatch.cloudflare.account-id=" + FakeCloudflareKv.ACCOUNT,
					"--kvbatch.cloudflare.namespace-id=" + FakeCloudflareKv.NAMESPACE,
					"--kvbatch.cloudflare.api-token=" + FakeCloudflareKv.TOKEN,
					"--kvbatch.cloudflare.base-url=" + kv.baseUrl()));
		}
		ConfigurableApplicationContext context = new SpringApplicationBuilder(KvBatchApplication.class)
			.sources(MovedClock.class, NoSleepConfiguration.class)
			.web(WebApplicationType.NONE)
			.registerShutdownHook(false)
			.run(args.toArray(String[]::new));
		this.contexts.add(context);
		return context;
	}

	/** Everything the embedded target holds; read through its own interface. */
	private static Map<String, KvTarget.StoredValue> snapshot(ConfigurableApplicationContext context) {
		KvTarget target = context.getBean(KvTarget.class);
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

	/**
	 * The example day with an id on each upload, and which of its records with an id are
	 * sent again: 7 of 170, the 4th, 10th and 16th uploads and every 40th webhook
	 * delivery, alternately in their own hour and in the next one.
	 */
	private static final class Day {

		private final List<List<String>> hours = new ArrayList<>();

		private final Map<Integer, List<String>> later = new HashMap<>();

		private int uploads;

		private int deliveries;

		int retries;

		Day() {
			ExampleDay example = new ExampleDay(DAY);
			int uploads = 0;
			for (int hour = 0; hour < ExampleDay.HOURS; hour++) {
				List<String> lines = new ArrayList<>();
				for (String line : example.hour(hour)) {
					lines.add(line.contains("\"kind\":\"upload\"") ? line.replace("\"kind\":\"upload\"",
							"\"kind\":\"upload\",\"id\":\"upload-" + uploads++ + "\"") : line);
				}
				this.hours.add(lines);
			}
		}

		List<String> lines(int hour) {
			return this.hours.get(hour);
		}

		/** The hour's lines and the retries due in it; call once per hour, in order. */
		List<String> withRetries(int hour) {
			List<String> lines = new ArrayList<>(lines(hour));
			List<String> now = new ArrayList<>(this.later.getOrDefault(hour, List.of()));
			for (String line : lines(hour)) {
				boolean upload = line.contains("\"kind\":\"upload\"");
				boolean delivery = line.contains("\"id\":\"delivery-");
				boolean retried = (upload && List.of(3, 9, 15).contains(this.uploads))
						|| (delivery && this.deliveries % 40 == 0);
				this.uploads += upload ? 1 : 0;
				this.deliveries += delivery ? 1 : 0;
				if (retried) {
					this.retries++;
					boolean nextHour = this.retries % 2 == 0 && hour + 1 < ExampleDay.HOURS;
					(nextHour ? this.later.computeIfAbsent(hour + 1, (h) -> new ArrayList<>()) : now).add(line);
				}
			}
			lines.addAll(now);
			return lines;
		}

	}

	/** The clock of all four runs, moved by the test. */
	@TestConfiguration(proxyBeanMethods = false)
	static class MovedClock {

		static final Clock CLOCK = new Clock() {

			@Override
			public ZoneId getZone() {
				return ZoneOffset.UTC;
			}

			@Override
			public Clock withZone(ZoneId zone) {
				return this;
			}

			@Override
			public Instant instant() {
				return NOW.get();
			}

		};

		@Bean
		@Primary
		Clock movedClock() {
			return CLOCK;
		}

	}

}
