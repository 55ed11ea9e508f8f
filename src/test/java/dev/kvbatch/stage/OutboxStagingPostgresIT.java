package dev.kvbatch.stage;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.sql.DataSource;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.TestPostgres;
import dev.kvbatch.jobs.JobRuns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Staging straight into PostgreSQL ({@link OutboxStager}): no spool folder, {@code {seq}}
 * from the database sequence, one staging per id however many stagers race on it, and a
 * compress that never applies past a staging transaction still open. Run by
 * {@code ./mvnw -B verify -Ppostgres}; fails without the server.
 */
class OutboxStagingPostgresIT {

	@TempDir
	Path tmp;

	private ConfigurableApplicationContext context;

	private Staging staging;

	private JdbcTemplate jdbc;

	@BeforeEach
	void start() throws Exception {
		this.context = new SpringApplicationBuilder(KvBatchApplication.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.registerShutdownHook(false)
			.run("--kvbatch.data-dir=" + this.tmp.resolve("data"),
					"--spring.datasource.url=" + TestPostgres.freshDatabase(), "--spring.datasource.username=postgres",
					"--spring.datasource.hikari.maximum-pool-size=8");
		this.staging = this.context.getBean(Staging.class);
		this.jdbc = this.context.getBean(JdbcTemplate.class);
	}

	@AfterEach
	void stop() {
		this.context.close();
	}

	@Test
	void stagesIntoTheOutboxWithoutASpoolFolder() throws Exception {
		List<String> keys = new ArrayList<>();
		StageSummary first = stage(keys, """
				{"op":"put","key":"a{seq}","value":{"title":"Album"},"kind":"upload","id":"up-1"}
				{"op":"put","key":"a{seq}","value":{"title":"Other"}}
				{"op":"put","key":"hash:ab","value":1,"id":"evt-1"}
				{"op":"put","key":"bad","value":1,"ttl":5}
				""");
		StageSummary retry = stage(keys, """
				{"op":"put","key":"a{seq}","value":{"title":"Album"},"kind":"upload","id":"up-1"}
				{"op":"put","key":"hash:ab","value":2,"id":"evt-1"}
				""");

		assertThat(this.staging).isInstanceOf(OutboxStager.class);
		assertThat(first).isEqualTo(new StageSummary(3, 1, 0, null));
		assertThat(retry).isEqualTo(new StageSummary(0, 1, 1, null));
		assertThat(keys).containsExactly("a{seq} -> a01", "a{seq} -> a02", "a{seq} -> a01 (already staged)");
		assertThat(this.jdbc.queryForList("SELECT logical_key FROM kv_outbox ORDER BY id", String.class))
			.containsExactly("a01", "a02", "hash:ab");
		assertThat(this.jdbc.queryForList("SELECT seq FROM kv_outbox ORDER BY id", Long.class)).containsExactly(1L, 2L,
				null);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM kv_dead_letter", Long.class)).isEqualTo(2);
		assertThat(this.tmp.resolve("data/spool")).doesNotExist();
		assertThat(this.tmp.resolve("data/seq")).doesNotExist();

		JobRuns runs = this.context.getBean(JobRuns.class);
		assertThat(runs.start("compress", Map.of()).getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(this.jdbc.queryForList("SELECT logical_key FROM kv_entry ORDER BY logical_key", String.class))
			.containsExactly("__counter", "a01", "a02", "hash:ab");
	}

	@Test
	void twoStagersRacingOnOneIdStageItOnceAndBothGetItsKey() throws Exception {
		int ids = 40;
		CyclicBarrier together = new CyclicBarrier(2);
		ExecutorService stagers = Executors.newFixedThreadPool(2);
		try {
			List<Future<List<String>>> results = new ArrayList<>();
			for (int s = 0; s < 2; s++) {
				results.add(stagers.submit(() -> {
					List<String> keys = new ArrayList<>();
					for (int i = 0; i < ids; i++) {
						together.await(1, TimeUnit.MINUTES);
						stage(keys,
								"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":" + i + ",\"id\":\"race-" + i
										+ "\"}\n{\"op\":\"put\",\"key\":\"hash:r" + i + "\",\"value\":" + i
										+ ",\"id\":\"h-" + i + "\"}\n");
					}
					return keys;
				}));
			}
			List<String> first = results.get(0).get(5, TimeUnit.MINUTES);
			List<String> second = results.get(1).get(5, TimeUnit.MINUTES);
			List<String> a = first.stream().filter((key) -> key.startsWith("a{seq}")).toList();
			List<String> b = second.stream().filter((key) -> key.startsWith("a{seq}")).toList();
			List<String> hashRetries = new ArrayList<>(
					first.stream().filter((key) -> key.startsWith("hash:")).toList());
			hashRetries.addAll(second.stream().filter((key) -> key.startsWith("hash:")).toList());

			assertThat(a).hasSize(ids);
			assertThat(b).hasSize(ids);
			assertThat(hashRetries).hasSize(ids)
				.doesNotHaveDuplicates()
				.allMatch((key) -> key.endsWith("(already staged)"));
			assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM kv_outbox", Long.class)).isEqualTo(2L * ids);
			assertThat(this.jdbc.queryForObject("SELECT COUNT(DISTINCT logical_key) FROM kv_outbox", Long.class))
				.isEqualTo(2L * ids);
			for (int i = 0; i < ids; i++) {
				String winner = a.get(i).replace(" (already staged)", "");
				assertThat(b.get(i).replace(" (already staged)", "")).as("id race-%d", i).isEqualTo(winner);
				assertThat(a.get(i).endsWith("(already staged)") ^ b.get(i).endsWith("(already staged)"))
					.as("exactly one of %s and %s staged it", a.get(i), b.get(i))
					.isTrue();
			}
		}
		finally {
			stagers.shutdownNow();
		}
	}

	@Test
	void seqValuesAreUniqueAcrossConcurrentStagers() throws Exception {
		ExecutorService stagers = Executors.newFixedThreadPool(3);
		try {
			List<Future<List<String>>> results = new ArrayList<>();
			for (int s = 0; s < 3; s++) {
				results.add(stagers.submit(() -> {
					List<String> keys = new ArrayList<>();
					for (int run = 0; run < 20; run++) {
						stage(keys, "{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1}\n".repeat(10));
					}
					return keys;
				}));
			}
			Set<String> keys = new HashSet<>();
			for (Future<List<String>> result : results) {
				keys.addAll(result.get(5, TimeUnit.MINUTES));
			}

			assertThat(keys).hasSize(600);
			assertThat(this.jdbc.queryForObject("SELECT COUNT(DISTINCT seq) FROM kv_outbox", Long.class))
				.isEqualTo(600);
		}
		finally {
			stagers.shutdownNow();
		}
	}

	@Test
	void compressNeverAppliesPastAStagingTransactionStillOpen() throws Exception {
		JobRuns runs = this.context.getBean(JobRuns.class);
		DataSource dataSource = this.context.getBean(DataSource.class);
		ExecutorService background = Executors.newSingleThreadExecutor();
		try (Connection open = dataSource.getConnection()) {
			open.setAutoCommit(false);
			// A stager that took its low id and has not committed yet.
			try (PreparedStatement lock = open.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
				lock.setLong(1, Outbox.STAGERS_LOCK);
				lock.execute();
			}
			try (Statement insert = open.createStatement()) {
				insert.executeUpdate("""
						INSERT INTO kv_outbox (op, logical_key, value_json, event_at, kind, staged_at)
						VALUES ('P', 'slow', '1', 0, 'C', 0)""");
			}
			// Another stager commits a higher id meanwhile.
			stage(new ArrayList<>(), "{\"op\":\"put\",\"key\":\"fast\",\"value\":2}\n");
			assertThat(this.jdbc.queryForObject("SELECT MAX(id) FROM kv_outbox", Long.class)).isEqualTo(2);

			Future<BatchStatus> compress = background.submit(() -> runs.start("compress", Map.of()).getStatus());
			assertThatThrownBy(() -> compress.get(3, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
			assertThat(this.jdbc.queryForList("SELECT logical_key FROM kv_entry", String.class)).isEmpty();
			assertThat(cursor()).isZero();

			open.commit();
			assertThat(compress.get(2, TimeUnit.MINUTES)).isEqualTo(BatchStatus.COMPLETED);
		}
		finally {
			background.shutdownNow();
		}
		assertThat(cursor()).isEqualTo(2);
		assertThat(this.jdbc.queryForList("SELECT logical_key FROM kv_entry ORDER BY logical_key", String.class))
			.containsExactly("fast", "slow");
		assertThat(runs.start("compress", Map.of()).getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(cursor()).isEqualTo(2);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM kv_entry", Long.class)).isEqualTo(2);
		assertThat(this.jdbc.queryForList("SELECT value_json FROM kv_entry ORDER BY logical_key", String.class))
			.containsExactly("2", "1");
	}

	@Test
	void pruningAppliedRowsDoesNotWaitForAnOpenStagingTransaction() throws Exception {
		stage(new ArrayList<>(), "{\"op\":\"put\",\"key\":\"old\",\"value\":1}\n");
		this.jdbc.update("INSERT INTO kv_cursor (name, position) VALUES ('outbox', 1)");
		Outbox outbox = this.context.getBean(Outbox.class);
		DataSource dataSource = this.context.getBean(DataSource.class);
		try (Connection open = dataSource.getConnection()) {
			open.setAutoCommit(false);
			try (PreparedStatement lock = open.prepareStatement("SELECT pg_advisory_xact_lock_shared(?)")) {
				lock.setLong(1, Outbox.STAGERS_LOCK);
				lock.execute();
			}
			try (Statement insert = open.createStatement()) {
				insert.executeUpdate("""
						INSERT INTO kv_outbox (op, logical_key, value_json, event_at, kind, staged_at)
						VALUES ('P', 'new', '1', 0, 'C', 0)""");
			}
			long trimmed = CompletableFuture
				.supplyAsync(() -> outbox.trimApplied(1, java.time.Instant.now().plusSeconds(60), 100))
				.get(10, TimeUnit.SECONDS);
			assertThat(trimmed).isEqualTo(1);
			open.rollback();
		}
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM kv_outbox", Long.class)).isZero();
	}

	private long cursor() {
		List<Long> position = this.jdbc.queryForList("SELECT position FROM kv_cursor WHERE name = 'outbox'",
				Long.class);
		return position.isEmpty() ? 0 : position.get(0);
	}

	private StageSummary stage(List<String> keys, String lines) throws Exception {
		return this.staging.stage(List
			.of(new Stager.Source("input.jsonl", new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)))),
				keys::add, (rejection) -> {
				});
	}

}
