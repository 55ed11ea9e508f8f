package dev.kvbatch.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kvbatch.KvBatchApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code kvbatch serve --no-jobs} in a child JVM, killed with {@code kill -9} right after
 * it acknowledged N writes from concurrent clients (nothing flushed or synced by the test
 * before the kill): after a restart, all N read back, and compress writes them all.
 */
class KillServerTests {

	private static final Pattern PORT = Pattern.compile("API on port (\\d+)");

	private static final int WRITES = 60;

	@TempDir
	Path tmp;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void everyAcknowledgedWriteSurvivesAKill9() throws Exception {
		Path data = this.tmp.resolve("data");
		Child first = Child.start(this.tmp.resolve("first.log"), data);
		List<String> acknowledged = new ArrayList<>();
		try {
			String namespace = first.awaitNamespace();
			ExecutorService clients = Executors.newFixedThreadPool(8);
			try {
				List<Future<String>> writes = new ArrayList<>();
				for (int i = 0; i < WRITES; i++) {
					int n = i;
					writes.add(clients.submit(() -> {
						HttpResponse<String> put = send("PUT", namespace + "/values/kept-" + n, "{\"n\":" + n + "}");
						return (put.statusCode() == 200) ? "kept-" + n : put.statusCode() + " " + put.body();
					}));
				}
				for (Future<String> write : writes) {
					acknowledged.add(write.get());
				}
			}
			finally {
				clients.shutdownNow();
			}
		}
		finally {
			first.kill();
		}
		assertThat(acknowledged).allMatch((key) -> key.startsWith("kept-")).hasSize(WRITES);

		// The restart runs in this JVM: what matters is what the killed one left on disk.
		try (ApiServer second = ApiServer.start(data)) {
			for (int i = 0; i < WRITES; i++) {
				HttpResponse<String> get = second.get("/values/kept-" + i);
				assertThat(get.statusCode()).as("kept-" + i + " after the kill: " + get.body()).isEqualTo(200);
				assertThat(get.body()).isEqualTo("{\"n\":" + i + "}");
			}
			second.compress();
			assertThat(second.jdbc()
				.queryForObject("SELECT COUNT(*) FROM kv_local WHERE key_name LIKE 'kept-%'", Long.class))
				.as("compress applies them all once")
				.isEqualTo(WRITES);
		}
	}

	private HttpResponse<String> send(String method, String url, String body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(url))
			.header("Authorization", "Bearer " + ApiServer.WRITE_TOKEN)
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	/** A serve child JVM on the test class path; its output in a file. */
	private record Child(Process process, Path log) {

		static Child start(Path log, Path data) throws IOException {
			List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
					System.getProperty("java.class.path"), KvBatchApplication.class.getName(), "serve", "--no-jobs",
					"--server.port=0", "--kvbatch.data-dir=" + data,
					"--kvbatch.api.write-tokens=" + ApiServer.WRITE_TOKEN, "--management.server.port=-1");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new Child(process, log);
		}

		String awaitNamespace() {
			String[] port = new String[1];
			await().atMost(Duration.ofMinutes(2)).until(() -> {
				assertThat(this.process.isAlive()).as("serve is running: %s", output()).isTrue();
				Matcher matcher = PORT.matcher(output());
				if (matcher.find()) {
					port[0] = matcher.group(1);
					return true;
				}
				return false;
			});
			return "http://127.0.0.1:" + port[0] + "/client/v4/accounts/kvbatch/storage/kv/namespaces/kvbatch";
		}

		String output() throws IOException {
			return Files.exists(this.log) ? Files.readString(this.log) : "";
		}

		void kill() throws InterruptedException {
			this.process.destroyForcibly();
			this.process.waitFor(1, TimeUnit.MINUTES);
		}

	}

}
