package dev.kvbatch.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code kvbatch serve} in a child JVM gets SIGTERM ({@link Process#destroy()}) while a
 * large write is in flight (its body half sent, the route reading it): the write is
 * answered 200 and is there after a restart, a request after the signal is not taken, and
 * the process exits 143 (128 + SIGTERM, as a stopped run does).
 */
class SigtermDrainTests {

	private static final Pattern PORT = Pattern.compile("API on port (\\d+)");

	/** Boot's line once the connector no longer takes requests. */
	private static final String DRAINING = "Commencing graceful shutdown";

	private static final String PATH = "/client/v4/accounts/kvbatch/storage/kv/namespaces/kvbatch/values/in-flight";

	@TempDir
	Path tmp;

	@Test
	void sigtermAnswersTheRequestInFlightRefusesNewOnesAndExits143() throws Exception {
		Path data = this.tmp.resolve("data");
		Path log = this.tmp.resolve("serve.log");
		List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), KvBatchApplication.class.getName(), "serve", "--server.port=0",
				"--management.server.port=-1", "--kvbatch.data-dir=" + data,
				"--kvbatch.api.write-tokens=" + ApiServer.WRITE_TOKEN,
				"--logging.level.org.springframework.boot.tomcat.GracefulShutdown=INFO");
		Process serve = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		// A 2 MB JSON string: large enough that its upload is under way for a while.
		byte[] value = ("\"" + "x".repeat(2_000_000) + "\"").getBytes(StandardCharsets.US_ASCII);
		int half = value.length / 2;
		try {
			int port = awaitPort(serve, log);
			try (Socket client = new Socket("127.0.0.1", port)) {
				client.setSoTimeout((int) Duration.ofMinutes(1).toMillis());
				OutputStream out = client.getOutputStream();
				InputStream in = client.getInputStream();
				out.write(("PUT " + PATH + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer "
						+ ApiServer.WRITE_TOKEN + "\r\nContent-Type: application/octet-stream\r\nContent-Length: "
						+ value.length + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
				out.write(value, 0, half);
				out.flush();
				// The 100 comes once the route reads the body: the request is in flight.
				assertThat(head(in)).startsWith("HTTP/1.1 100");

				serve.destroy();
				await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(log).contains(DRAINING));
				assertThat(serve.isAlive()).as("still answering the request in flight").isTrue();
				assertThatExceptionOfType(IOException.class).as("a request after the signal is not taken")
					.isThrownBy(() -> HttpClient.newBuilder()
						.connectTimeout(Duration.ofSeconds(10))
						.build()
						.send(HttpRequest
							.newBuilder(URI.create("http://127.0.0.1:" + port + PATH.replace("in-flight", "too-late")))
							.header("Authorization", "Bearer " + ApiServer.WRITE_TOKEN)
							.timeout(Duration.ofSeconds(10))
							.PUT(HttpRequest.BodyPublishers.ofString("1"))
							.build(), HttpResponse.BodyHandlers.ofString()));

				out.write(value, half, value.length - half);
				out.flush();
				String answer = head(in);
				assertThat(answer).as("the answer to the request in flight; serve's log:%n%s", Files.readString(log))
					.startsWith("HTTP/1.1 200");
				assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("\"success\":true");
			}
			assertThat(serve.waitFor(2, TimeUnit.MINUTES)).as("serve ends after SIGTERM").isTrue();
			assertThat(serve.exitValue()).as("128 + SIGTERM; log:%n%s", Files.readString(log)).isEqualTo(143);
		}
		finally {
			serve.destroyForcibly();
			serve.waitFor(1, TimeUnit.MINUTES);
		}

		try (ApiServer restarted = ApiServer.start(data)) {
			HttpResponse<String> get = restarted.get("/values/in-flight");
			assertThat(get.statusCode()).isEqualTo(200);
			assertThat(get.body().getBytes(StandardCharsets.US_ASCII)).isEqualTo(value);
			assertThat(restarted.get("/values/too-late").statusCode()).isEqualTo(404);
			restarted.compress();
			assertThat(restarted.jdbc()
				.queryForObject("SELECT COUNT(*) FROM kv_outbox WHERE logical_key = 'in-flight'", Long.class))
				.isEqualTo(1);
		}
	}

	private static int awaitPort(Process serve, Path log) {
		int[] port = new int[1];
		await().atMost(Duration.ofMinutes(2)).until(() -> {
			String output = Files.exists(log) ? Files.readString(log) : "";
			assertThat(serve.isAlive()).as("serve is running: %s", output).isTrue();
			Matcher matcher = PORT.matcher(output);
			if (matcher.find()) {
				port[0] = Integer.parseInt(matcher.group(1));
				return true;
			}
			return false;
		});
		return port[0];
	}

	/**
	 * One response head: the status line and headers up to the blank line. With the
	 * body's length header, a final answer's body follows (read by the caller).
	 */
	private static String head(InputStream in) throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		byte[] end = { '\r', '\n', '\r', '\n' };
		while (matched < end.length) {
			int next = in.read();
			if (next < 0) {
				break;
			}
			head.write(next);
			matched = (next == end[matched]) ? matched + 1 : ((next == end[0]) ? 1 : 0);
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

}
