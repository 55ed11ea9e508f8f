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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kvbatch.KvBatchApplication;
import dev.kvbatch.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two {@code serve --no-jobs} processes on one PostgreSQL database, each with a data
 * folder of its own: a write one acknowledges is read back by the other at once, and
 * neither has a spool folder. Run by {@code ./mvnw -B verify -Ppostgres}.
 */
class ReplicasPostgresIT {

	private static final Pattern PORT = Pattern.compile("API on port (\\d+)");

	@TempDir
	Path tmp;

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void aWriteAcknowledgedByOneReplicaIsReadByTheOtherAtOnce() throws Exception {
		String database = TestPostgres.freshDatabase();
		Replica a = Replica.start(this.tmp.resolve("a"), database);
		try {
			String onA = a.awaitNamespace();
			Replica b = Replica.start(this.tmp.resolve("b"), database);
			try {
				String onB = b.awaitNamespace();
				for (int i = 0; i < 20; i++) {
					HttpResponse<String> put = send("PUT", onA + "/values/shared-" + i, "{\"n\":" + i + "}");
					assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
					HttpResponse<String> get = send("GET", onB + "/values/shared-" + i, null);
					assertThat(get.statusCode()).as(get.body()).isEqualTo(200);
					assertThat(get.body()).isEqualTo("{\"n\":" + i + "}");
				}
				HttpResponse<String> delete = send("DELETE", onB + "/values/shared-0", null);
				assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
				assertThat(send("GET", onA + "/values/shared-0", null).statusCode()).isEqualTo(404);
				assertThat(this.tmp.resolve("a/spool")).doesNotExist();
				assertThat(this.tmp.resolve("b/spool")).doesNotExist();
			}
			finally {
				b.kill();
			}
		}
		finally {
			a.kill();
		}
	}

	private HttpResponse<String> send(String method, String uri, String body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create(uri))
			.header("Authorization", "Bearer " + ApiServer.WRITE_TOKEN)
			.method(method,
					(body != null) ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody())
			.build();
		return this.http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
	}

	/** A serve child JVM on the test class path; its output in a file. */
	private record Replica(Process process, Path log) {

		static Replica start(Path data, String database) throws IOException {
			Files.createDirectories(data);
			Path log = data.resolveSibling(data.getFileName() + ".log");
			List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
					System.getProperty("java.class.path"), KvBatchApplication.class.getName(), "serve", "--no-jobs",
					"--server.port=0", "--kvbatch.data-dir=" + data, "--spring.datasource.url=" + database,
					"--spring.datasource.username=postgres", "--kvbatch.api.write-tokens=" + ApiServer.WRITE_TOKEN,
					"--management.server.port=-1");
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new Replica(process, log);
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
