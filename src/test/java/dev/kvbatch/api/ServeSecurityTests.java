package dev.kvbatch.api;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;

import dev.kvbatch.cli.Cli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code serve} refuses: an API without a token (exit 2, one line) unless bound to
 * loopback and allowed, and writes past the backlog (429 with {@code Retry-After}).
 */
class ServeSecurityTests {

	@TempDir
	Path tmp;

	@Test
	void serveRefusesToOpenTheApiWithoutATokenInOneLine() {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int code = new Cli().output(new PrintWriter(out), new PrintWriter(err))
			.run("serve", "--no-jobs", "--server.port=0", "--kvbatch.data-dir=" + this.tmp.resolve("data"));
		assertThat(code).isEqualTo(2);
		assertThat(err.toString().strip()).startsWith("kvbatch: serve opens its HTTP API only with a token")
			.doesNotContain("\n");
	}

	@Test
	void anonymousServingNeedsALoopbackAddress() {
		StringWriter err = new StringWriter();
		int code = new Cli().output(new PrintWriter(new StringWriter()), new PrintWriter(err))
			.run("serve", "--no-jobs", "--server.port=0", "--server.address=0.0.0.0",
					"--kvbatch.api.allow-anonymous-loopback=true", "--kvbatch.data-dir=" + this.tmp.resolve("data"));
		assertThat(code).isEqualTo(2);
		assertThat(err.toString()).contains("loopback");
	}

	@Test
	void aLoopbackServerMayServeWithoutATokenWhenAllowed() {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"), "--kvbatch.api.write-tokens=",
				"--kvbatch.api.read-tokens=", "--server.address=127.0.0.1",
				"--kvbatch.api.allow-anonymous-loopback=true")) {
			HttpResponse<String> put = server.send("PUT", "/values/anon",
					java.net.http.HttpRequest.BodyPublishers.ofString("1"));
			assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
		}
	}

	@Test
	void writesPastTheBacklogGet429WithRetryAfterAndReadsStillWork() {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"), "--kvbatch.api.max-backlog=3",
				"--kvbatch.api.retry-after-seconds=30")) {
			for (int i = 0; i < 3; i++) {
				assertThat(server.put("/values/b" + i, "1").statusCode()).isEqualTo(200);
			}
			HttpResponse<String> refused = server.put("/values/b3", "1");
			assertThat(refused.statusCode()).isEqualTo(429);
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
			assertThat(ApiServer.json(refused).get("success").asBoolean()).isFalse();
			assertThat(server.get("/values/b3").statusCode()).as("nothing staged").isEqualTo(404);
			assertThat(server.get("/values/b0").statusCode()).isEqualTo(200);
			HttpResponse<String> bulk = server.put("/bulk", "[{\"key\":\"b4\",\"value\":\"1\"}]");
			assertThat(bulk.statusCode()).isEqualTo(429);
		}
	}

}
