package dev.kvbatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kvbatch stage} then {@code kvbatch run compress}, as a user runs them, on a real
 * H2 file and the embedded target.
 */
class CompressCommandIntegrationTests {

	@TempDir
	Path dataDir;

	@Test
	void packsStagedMappingsIntoOnePhysicalKeyPerDevice() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		stage(cli, """
				{"op":"put","key":"mobile-mapping:dev1:task1","value":{"thingsId":"T-1"},"ttl":7776000}
				{"op":"put","key":"mobile-mapping:dev1:task2","value":{"thingsId":"T-2"}}
				{"op":"put","key":"mobile-mapping:dev2:task1","value":{"thingsId":"T-3"}}
				""");

		CliRun.Result run = cli.run("run", "compress");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("compress execution 1: COMPLETED").contains("KV       2 writes, 0 deletes");
		assertThat(kvJson(cli)).containsExactly(
				"{\"key\":\"mobile-batch:dev1\",\"value\":\"{\\\"task1\\\":{\\\"thingsId\\\":\\\"T-1\\\"},\\\"task2\\\":{\\\"thingsId\\\":\\\"T-2\\\"}}\",\"expiration\":null}",
				"{\"key\":\"mobile-batch:dev2\",\"value\":\"{\\\"task1\\\":{\\\"thingsId\\\":\\\"T-3\\\"}}\",\"expiration\":null}");
	}

	@Test
	void skipsWriteWhenPackedValueIsUnchanged() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		stage(cli,
				"{\"op\":\"put\",\"key\":\"hash:aa\",\"value\":1}\n{\"op\":\"put\",\"key\":\"hash:bb\",\"value\":2}");
		assertThat(cli.run("run", "compress").out()).contains("KV       1 writes");

		stage(cli, "{\"op\":\"put\",\"key\":\"hash:aa\",\"value\":1}");
		CliRun.Result second = cli.run("run", "compress");

		assertThat(second.out()).contains("KV       0 writes, 0 deletes")
			.contains("(0 sent, 0 deleted, 1 unchanged, 0 left dirty, 0 deferred by the budget)");
	}

	@Test
	void deletesPhysicalKeyLeftWithoutLiveEntries() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		stage(cli,
				"{\"op\":\"put\",\"key\":\"mobile-mapping:d:t1\",\"value\":1}\n{\"op\":\"put\",\"key\":\"a7\",\"value\":7}");
		cli.run("run", "compress");

		stage(cli, "{\"op\":\"delete\",\"key\":\"mobile-mapping:d:t1\"}\n{\"op\":\"delete\",\"key\":\"a7\"}");
		CliRun.Result run = cli.run("run", "compress");

		assertThat(run.out()).contains("KV       0 writes, 2 deletes");
		assertThat(cli.run("kv", "list").out()).isEmpty();
	}

	@Test
	void givesPhysicalKeyTheLatestExpirationOfItsEntries() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		long soon = 4_000_000_000L;
		long later = 4_100_000_000L;
		stage(cli, """
				{"op":"put","key":"hash:a","value":1,"expiration":%d}
				{"op":"put","key":"hash:b","value":2,"expiration":%d}
				""".formatted(soon, later));

		cli.run("run", "compress");

		assertThat(kvJson(cli)).singleElement().asString().endsWith("\"expiration\":" + later + "}");
	}

	@Test
	void stagesARetryOnceAndRefusesAnotherRecordWithAStagedId() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		String first = "{\"op\":\"put\",\"key\":\"webhook-delivery:d1\",\"value\":1,\"id\":\"evt-1\",\"at\":\"2026-11-20T10:00:00Z\"}";
		stage(cli, first);
		cli.run("run", "compress");

		CliRun.Result staged = stage(cli, first + """

				{"op":"put","key":"webhook-delivery:d1","value":99,"id":"evt-1","at":"2026-11-20T10:00:00Z"}
				{"op":"put","key":"webhook-delivery:d2","value":2,"id":"evt-2","at":"2026-11-20T11:00:00Z"}
				{"op":"put","key":"webhook-delivery:d3","value":3,"id":"evt-2","at":"2026-11-20T11:00:00Z"}
				""");
		CliRun.Result run = cli.run("run", "compress");

		assertThat(staged.out()).contains("webhook-delivery:d1 -> webhook-delivery:d1 (already staged)")
			.contains("staged 1, rejected 2, duplicates 1");
		assertThat(staged.err()).contains(":2: field id: already staged with a different record",
				":4: field id: already staged with a different record");
		assertThat(run.out()).contains("ingest   read 3, written 1, rejected 2");
		assertThat(TableRows.deadLetters(this.dataDir)).hasSize(2)
			.allSatisfy((letter) -> assertThat(letter).contains(" id: already staged with a different record"));
		assertThat(cli.run("kv", "get", "webhook-batch:2026-11-20").out().trim()).isEqualTo("{\"d1\":1,\"d2\":2}");
	}

	@Test
	void ingestsProducerSpoolFilesAndDeadLettersTheirBadLines() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		Path spool = Files.createDirectories(this.dataDir.resolve("spool"));
		Files.writeString(spool.resolve("producer-1.jsonl.tmp"), "{\"op\":\"put\",\"key\":\"x{seq}\",\"value\":1}\n");
		Files.writeString(spool.resolve("producer-0.jsonl"), """
				{"op":"put","key":"b{seq}","value":{"n":1}}
				{"op":"put","key":"metrics:cpu:notanumber:r1","value":3}
				{"op":"upsert","key":"b2"}
				""");

		CliRun.Result run = cli.run("run", "compress");

		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(run.out()).contains("rejected 2");
		assertThat(Files.exists(spool.resolve("done/producer-0.jsonl"))).isTrue();
		assertThat(Files.exists(spool.resolve("producer-1.jsonl.tmp"))).as("incomplete files wait").isTrue();
		assertThat(cli.run("kv", "get", "b01").out().trim()).isEqualTo("{\"n\":1}");
		assertThat(cli.run("kv", "get", "__counter").out().trim()).isEqualTo("1");
		assertThat(TableRows.deadLetters(this.dataDir)).satisfiesExactly(
				(row) -> assertThat(row).startsWith("producer-0.jsonl:2 key: logical key \"metrics:cpu:notanumber:r1\"")
					.contains("rule metrics", "epoch milliseconds"),
				(row) -> assertThat(row)
					.isEqualTo("producer-0.jsonl:3 op: must be \"put\" or \"delete\", was \"upsert\""));
	}

	@Test
	void writesCounterOncePerRunWithTheSequenceHighWaterMark() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		CliRun.Result staged = stage(cli, """
				{"op":"put","key":"a{seq}","value":{"title":"one"},"kind":"upload"}
				{"op":"put","key":"a{seq}","value":{"title":"two"},"kind":"upload"}
				{"op":"put","key":"a{seq}","value":{"title":"three"},"kind":"upload"}
				""");
		assertThat(staged.out()).contains("a{seq} -> a01", "a{seq} -> a02", "a{seq} -> a03");

		CliRun.Result run = cli.run("run", "compress");

		assertThat(run.out()).contains("KV       4 writes");
		assertThat(cli.run("kv", "get", "__counter").out().trim()).isEqualTo("3");
	}

	@Test
	void stagingAFileAgainPrintsTheSameKeysAndStagesNothingNew() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		Path albums = file("""
				{"op":"put","key":"a{seq}","value":{"title":"one"},"kind":"upload","id":"msg-1"}
				{"op":"put","key":"a{seq}","value":{"title":"two"},"kind":"upload","id":"msg-2"}
				""");
		CliRun.Result first = cli.run("stage", albums.toString());
		cli.run("run", "compress");

		CliRun.Result again = cli.run("stage", albums.toString());
		CliRun.Result run = cli.run("run", "compress");

		assertThat(first.out().lines()).containsExactly("a{seq} -> a01", "a{seq} -> a02",
				"staged 2, rejected 0, " + "duplicates 0 ("
						+ Files.list(this.dataDir.resolve("spool/done")).findFirst().orElseThrow().getFileName() + ")");
		assertThat(again.exitCode()).isZero();
		assertThat(again.out().lines()).containsExactly("a{seq} -> a01 (already staged)",
				"a{seq} -> a02 (already staged)", "staged 0, rejected 0, duplicates 2");
		assertThat(run.out()).contains("ingest   read 0").contains("KV       0 writes");
		assertThat(cli.run("kv", "get", "__counter").out().trim()).isEqualTo("2");
	}

	@Test
	void continuesTheCounterAnAppAlreadyKeptInKv() throws IOException {
		CliRun cli = new CliRun(this.dataDir);
		CliRun.Result staged = cli.run("stage", file("{\"op\":\"put\",\"key\":\"a{seq}\",\"value\":1}").toString(),
				"--kvbatch.seq-start-after=20");

		cli.run("run", "compress");

		assertThat(staged.out()).contains("a{seq} -> a21");
		assertThat(cli.run("kv", "get", "__counter").out().trim()).isEqualTo("21");
	}

	private Path file(String lines) throws IOException {
		return Files.writeString(Files.createTempFile(this.dataDir.getParent(), "stage", ".jsonl"), lines);
	}

	private CliRun.Result stage(CliRun cli, String lines) throws IOException {
		Path file = Files.createTempFile(this.dataDir.getParent(), "stage", ".jsonl");
		Files.writeString(file, lines, StandardCharsets.UTF_8);
		CliRun.Result result = cli.run("stage", file.toString());
		assertThat(result.exitCode()).as(result.toString()).isZero();
		return result;
	}

	private static List<String> kvJson(CliRun cli) {
		return cli.run("kv", "list", "--json").out().lines().toList();
	}

}
