package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingest step loads spool files a bounded number of lines per transaction, reading
 * the next lines ahead while it stores: however the lines are split into transactions,
 * and wherever a run crashes, the outbox and the dead letters end the same.
 */
class IngestIntegrationTests {

	private static final String OUTBOX = "SELECT op, logical_key, value_json, expires_at, kind, seq FROM kv_outbox ORDER BY id";

	private static final String FEW_LINES = "--kvbatch.compress.ingest-lines=4";

	@TempDir
	Path tmp;

	@Test
	void smallTransactionsLoadTheSameRowsInTheSameOrderAsOneTransaction() throws IOException {
		Path small = this.tmp.resolve("small");
		Path one = this.tmp.resolve("one");
		dropSpoolFiles(small);
		dropSpoolFiles(one);

		CliRun.Result run = new CliRun(small).run("run", "ingest", FEW_LINES);

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("ingest   read 33, written 28, rejected 3, duplicates 2");
		assertThat(new CliRun(one).run("run", "ingest").out()).contains("written 28, rejected 3, duplicates 2");
		assertThat(TableRows.rows(small, OUTBOX)).hasSize(28).isEqualTo(TableRows.rows(one, OUTBOX));
		assertThat(TableRows.deadLetters(small)).hasSize(3)
			.isEqualTo(TableRows.deadLetters(one))
			.anySatisfy((letter) -> assertThat(letter).startsWith("a.jsonl:7 key: "))
			.anySatisfy((letter) -> assertThat(letter).startsWith("b.jsonl:3 "));
		try (var done = Files.list(small.resolve("spool/done"))) {
			assertThat(done.map((file) -> file.getFileName().toString())).containsExactlyInAnyOrder("a.jsonl",
					"b.jsonl");
		}
	}

	@Test
	void ingestCrashedMidFileRestartsWithoutLoadingALineTwiceOrSkippingOne() throws IOException, SQLException {
		Path crashed = this.tmp.resolve("crashed");
		Path clean = this.tmp.resolve("clean");
		dropSpoolFiles(crashed);
		dropSpoolFiles(clean);
		CliRun cli = new CliRun(crashed);
		assertThat(cli.run("executions").exitCode()).isZero();
		CrashingTrigger.install(crashed, "kv_spool_progress", 3);

		CliRun.Result crash = cli.run("run", "ingest", FEW_LINES);

		assertThat(crash.exitCode()).as(crash.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(TableRows.count(crashed, "kv_outbox")).as("lines 1-12 committed, one of them bad").isEqualTo(11);
		CrashingTrigger.remove(crashed, "kv_spool_progress");

		CliRun.Result restart = cli.run("restart", "--last", "ingest", FEW_LINES);

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(new CliRun(clean).run("run", "ingest").exitCode()).isZero();
		assertThat(TableRows.rows(crashed, OUTBOX)).hasSize(28).isEqualTo(TableRows.rows(clean, OUTBOX));
		assertThat(TableRows.deadLetters(crashed)).isEqualTo(TableRows.deadLetters(clean));
	}

	@Test
	void droppedFileRetriedAfterAFailedLoadGivesItsRecordsTheSameKeysOnce() throws IOException, SQLException {
		Path crashed = this.tmp.resolve("crashed");
		Path clean = this.tmp.resolve("clean");
		for (Path dataDir : List.of(crashed, clean)) {
			Path spool = Files.createDirectories(dataDir.resolve("spool"));
			List<String> uploads = new ArrayList<>();
			for (int i = 1; i <= 12; i++) {
				uploads
					.add("{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"n\":%d},\"kind\":\"upload\",\"id\":\"up-%d\"}"
						.formatted(i, i));
			}
			// The producer sends its first two uploads again.
			uploads.add(uploads.get(0));
			uploads.add(uploads.get(1));
			Files.write(spool.resolve("uploads.jsonl"), uploads);
		}
		CliRun cli = new CliRun(crashed);
		assertThat(cli.run("executions").exitCode()).isZero();
		CrashingTrigger.install(crashed, "kv_spool_progress", 2);

		CliRun.Result crash = cli.run("run", "ingest", FEW_LINES);

		assertThat(crash.exitCode()).as(crash.toString()).isEqualTo(ExitCodes.FAILED);
		assertThat(TableRows.count(crashed, "kv_outbox")).as("lines 1-8 committed").isEqualTo(8);
		CrashingTrigger.remove(crashed, "kv_spool_progress");

		CliRun.Result restart = cli.run("restart", "--last", "ingest", FEW_LINES);
		CliRun.Result once = new CliRun(clean).run("run", "ingest");

		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(once.out()).contains("read 14, written 12, duplicates 2");
		assertThat(TableRows.rows(crashed, OUTBOX)).hasSize(12).isEqualTo(TableRows.rows(clean, OUTBOX));
		assertThat(TableRows.rows(crashed, "SELECT logical_key FROM kv_outbox ORDER BY id")).containsExactly("a01",
				"a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "a10", "a11", "a12");
		assertThat(Files.readString(crashed.resolve("seq")).strip()).isEqualTo("12");
	}

	@Test
	void spoolFileOfAnEarlierVersionKeepsItsOwnFieldsAndIdsItStagedStayStaged() throws Exception {
		Path data = this.tmp.resolve("data");
		CliRun cli = new CliRun(data);
		assertThat(cli.run("executions").exitCode()).isZero();
		try (var connection = TableRows.connect(data)) {
			connection.createStatement().execute("INSERT INTO kv_staged_id (id, staged_at) VALUES ('evt-old', 0)");
		}
		Path spool = Files.createDirectories(data.resolve("spool"));
		// Written by the version before kvbatch's spool files had a header.
		Files.writeString(spool.resolve("stage-1764547200000-0a1b2c3d.jsonl"),
				"""
						{"op":"put","key":"a07","value":{"t":1},"at":"2025-12-01T00:00:00Z","id":"up-7","kind":"upload","seq":7,"stagedAt":"2025-12-01T00:00:00Z"}
						{"op":"put","key":"k","value":1,"at":"2025-12-01T00:00:00Z","id":"evt-old","kind":"change","stagedAt":"2025-12-01T00:00:00Z"}
						""");

		CliRun.Result run = cli.run("run", "ingest");
		CliRun.Result retry = cli.run("stage",
				Files.writeString(this.tmp.resolve("retry.jsonl"),
						"{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":{\"t\":1},\"kind\":\"upload\",\"id\":\"up-7\"}")
					.toString());

		assertThat(run.out()).contains("read 2, written 1, duplicates 1");
		assertThat(TableRows.rows(data, "SELECT logical_key, seq FROM kv_outbox")).containsExactly("a07 | 7");
		assertThat(retry.out()).contains("a{seq} -> a07 (already staged)", "staged 0, rejected 0, duplicates 1");
	}

	/**
	 * Two files dropped by a producer: 33 lines, 3 of them bad and 2 repeating an
	 * idempotency id.
	 */
	private static void dropSpoolFiles(Path dataDir) throws IOException {
		Path spool = Files.createDirectories(dataDir.resolve("spool"));
		List<String> a = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			// Lines 19 and 20 retry lines 1 and 2.
			a.add((i == 6) ? "{\"op\":\"put\",\"key\":\"\",\"value\":1}"
					: "{\"op\":\"put\",\"key\":\"album-%02d\",\"value\":{\"n\":%d},\"id\":\"evt-%d\"}".formatted(i % 18,
							i % 18, i % 18));
		}
		Files.write(spool.resolve("a.jsonl"), a);
		List<String> b = new ArrayList<>();
		for (int i = 0; i < 13; i++) {
			b.add(switch (i) {
				case 2 -> "{\"op\":\"put\",\"key\":";
				case 9 -> "{\"op\":\"upsert\",\"key\":\"k\",\"value\":1}";
				default -> (i % 4 == 3) ? "{\"op\":\"delete\",\"key\":\"mobile-mapping:dev%d:t%d\"}".formatted(i % 2, i)
						: "{\"op\":\"put\",\"key\":\"mobile-mapping:dev%d:t%d\",\"value\":%d}".formatted(i % 2, i, i);
			});
		}
		Files.write(spool.resolve("b.jsonl"), b);
	}

}
