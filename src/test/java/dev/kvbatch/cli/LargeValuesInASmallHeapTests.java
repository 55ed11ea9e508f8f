package dev.kvbatch.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compress in a child JVM of {@code -Xmx256m} with two values of about 25 MiB (KV's
 * limit) and a map key packed from two 12 MiB entries: ingest, apply and flush hold the
 * values by bytes, not only by count, and copy a large string value as few times as they
 * can, so the run completes and KV holds every value whole.
 */
class LargeValuesInASmallHeapTests {

	/** Just under KV's 25 MiB value limit, quotes included. */
	private static final int NEARLY_25_MIB = 25 * 1024 * 1024 - 64;

	private static final int TWELVE_MIB = 12 * 1024 * 1024;

	@TempDir
	Path tmp;

	@Test
	void compressesTwo25MibValuesAndA24MibMapIn256MibOfHeap() throws IOException {
		Path data = this.tmp.resolve("data");
		Path input = this.tmp.resolve("large.jsonl");
		try (BufferedWriter out = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
			line(out, "big-a", NEARLY_25_MIB, 'a');
			line(out, "big-b", NEARLY_25_MIB, 'b');
			line(out, "mobile-mapping:dev1:t1", TWELVE_MIB, 'c');
			line(out, "mobile-mapping:dev1:t2", TWELVE_MIB, 'd');
		}
		CliRun cli = new CliRun(data);
		assertThat(cli.run("stage", input.toString()).exitCode()).isZero();
		Files.delete(input);

		int exit;
		String output;
		// As on a machine of 8 cores: G1 then places the values' regions so that they
		// fragment the heap more than with 2 (a copy too many ran out of memory there).
		try (ChildJvm child = ChildJvm.start(this.tmp.resolve("child.log"),
				List.of("-Xmx256m", "-XX:ActiveProcessorCount=8"), "run", "compress", "--kvbatch.data-dir=" + data,
				"--kvbatch.jobs-dir=" + CliRun.noJobsDir(data))) {
			exit = child.waitFor();
			output = child.output();
		}

		assertThat(exit).as(output).isZero();
		assertThat(output).contains("flush    read 3, written 3 (3 sent").doesNotContain("Out of memory");
		assertThat(TableRows.rows(data, "SELECT key_name, LENGTH(value_text) FROM kv_local ORDER BY key_name"))
			.containsExactly("big-a | " + (NEARLY_25_MIB + 2), "big-b | " + (NEARLY_25_MIB + 2),
					"mobile-batch:dev1 | " + (2 * (TWELVE_MIB + 2) + "{\"t1\":,\"t2\":}".length()));
	}

	/** A put of a JSON string of {@code length} characters. */
	private static void line(BufferedWriter out, String key, int length, char fill) throws IOException {
		out.write("{\"op\":\"put\",\"key\":\"" + key + "\",\"value\":\"");
		char[] block = new char[64 * 1024];
		Arrays.fill(block, fill);
		for (int left = length; left > 0; left -= block.length) {
			out.write(block, 0, Math.min(left, block.length));
		}
		out.write("\"}\n");
	}

}
