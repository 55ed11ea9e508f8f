package dev.kvbatch.api;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 clients at once, each writing its keys and reading each back as soon as the write
 * is acknowledged: every read sees the newest acknowledged write; afterwards every write
 * is staged exactly once (nothing lost, nothing duplicated) and compress writes the last.
 */
class ConcurrentClientsTests {

	private static final int CLIENTS = 200;

	private static final int VERSIONS = 3;

	@TempDir
	Path tmp;

	@Test
	void everyClientReadsItsNewestAcknowledgedWriteAndNothingIsLostOrDuplicated() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
			try {
				List<Future<List<String>>> clients = new ArrayList<>();
				for (int c = 0; c < CLIENTS; c++) {
					int client = c;
					clients.add(pool.submit(() -> {
						List<String> wrong = new ArrayList<>();
						for (int v = 1; v <= VERSIONS; v++) {
							String value = "{\"client\":" + client + ",\"v\":" + v + "}";
							HttpResponse<String> put = server.put("/values/client-" + client, value);
							if (put.statusCode() != 200) {
								wrong.add("PUT " + put.statusCode() + " " + put.body());
								continue;
							}
							String read = server.get("/values/client-" + client).body();
							if (!read.equals(value)) {
								wrong.add("client " + client + " wrote " + value + " and read " + read);
							}
						}
						return wrong;
					}));
				}
				List<String> wrong = new ArrayList<>();
				for (Future<List<String>> client : clients) {
					wrong.addAll(client.get());
				}
				assertThat(wrong).isEmpty();
			}
			finally {
				pool.shutdownNow();
			}
			assertThat(stagedRecords(this.tmp.resolve("data/spool"))).as("every write staged once")
				.isEqualTo(CLIENTS * VERSIONS);
			long files = spoolFiles(this.tmp.resolve("data/spool"));
			assertThat(files).as("concurrent writes share spool files (group commit)").isLessThan(CLIENTS * VERSIONS);

			server.compress();
			for (int c = 0; c < CLIENTS; c++) {
				assertThat(server.jdbc()
					.queryForObject("SELECT value_text FROM kv_local WHERE key_name = ?", String.class, "client-" + c))
					.isEqualTo("{\"client\":" + c + ",\"v\":" + VERSIONS + "}");
			}
		}
	}

	private static long spoolFiles(Path spool) throws Exception {
		try (Stream<Path> files = Files.walk(spool)) {
			return files.filter((file) -> file.toString().endsWith(".jsonl")).count();
		}
	}

	static long stagedRecords(Path spool) throws Exception {
		long records = 0;
		for (Path dir : List.of(spool, spool.resolve("done"))) {
			if (!Files.isDirectory(dir)) {
				continue;
			}
			try (Stream<Path> files = Files.list(dir)) {
				for (Path file : files.filter((f) -> f.toString().endsWith(".jsonl")).toList()) {
					records += Files.readAllLines(file).stream().filter((line) -> line.contains("\"op\"")).count();
				}
			}
		}
		return records;
	}

}
