package dev.kvbatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * H2 lets one process open the database file. A producer must still be able to stage
 * while a compress runs in another process, and the next run must pick its records up.
 */
class StageWhileCompressRunsTests {

	@TempDir
	Path dataDir;

	@Test
	void stagingSucceedsWhileAnotherProcessCompressesAndTheNextRunPicksItUp() throws Exception {
		CliRun cli = new CliRun(this.dataDir);
		assertThat(cli.run("stage", write("first.jsonl", "{\"op\":\"put\",\"key\":\"first\",\"value\":1}")).exitCode())
			.isZero();
		Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), BlockingCompressChild.class.getName(), this.dataDir.toString())
			.redirectError(ProcessBuilder.Redirect.DISCARD)
			.start();
		try {
			BufferedReader childOut = new BufferedReader(
					new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
			assertThat(childOut.lines().filter("BLOCKED"::equals).findFirst()).as("the child reached its flush")
				.isPresent();

			CliRun.Result staged = cli.run("stage",
					write("second.jsonl", "{\"op\":\"put\",\"key\":\"second\",\"value\":2}"));
			CliRun.Result concurrentRun = cli.run("run", "compress");

			assertThat(staged.exitCode()).as(staged.toString()).isZero();
			assertThat(staged.out()).contains("staged 1, rejected 0");
			assertThat(concurrentRun.exitCode()).as(concurrentRun.toString()).isEqualTo(ExitCodes.LOCKED);
			assertThat(concurrentRun.err())
				.isEqualTo("kvbatch: another kvbatch process is using the database; try again when it has finished\n");

			OutputStream release = child.getOutputStream();
			release.write("go\n".getBytes(StandardCharsets.UTF_8));
			release.flush();
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(child.exitValue()).isZero();
		}
		finally {
			child.destroyForcibly();
		}
		assertThat(cli.run("kv", "list").out().lines().toList()).containsExactly("first");

		assertThat(cli.run("run", "compress").exitCode()).isZero();

		assertThat(cli.run("kv", "list").out().lines().toList()).containsExactly("first", "second");
	}

	private String write(String name, String content) throws IOException {
		return Files.writeString(this.dataDir.getParent().resolve(name), content + "\n").toString();
	}

}
