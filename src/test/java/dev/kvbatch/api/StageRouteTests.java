package dev.kvbatch.api;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.kvbatch.cli.Cli;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /v1/stage} and {@code kvbatch stage --url}: the JSON Lines of
 * {@code kvbatch stage} over HTTP, answered per line.
 */
class StageRouteTests {

	@TempDir
	Path tmp;

	@Test
	void answersPerLineWithTheAssignedKeysAndReasonsAndStageUrlPrintsThemAsStageDoes() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			String input = """
					{"op":"put","key":"a{seq}","value":{"title":"One"},"id":"upload-1","kind":"upload"}
					{"op":"put","key":"a{seq}","value":{"title":"One"},"id":"upload-1","kind":"upload"}

					{"op":"put","key":"mobile-mapping:dev1:t1","value":{"thingsId":"T-9"},"ttl":30}
					{"op":"delete","key":"gone"}
					""";
			HttpResponse<String> response = server.send("POST", server.base + "/v1/stage", input);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			JsonNode body = ApiServer.json(response);
			assertThat(body.get("staged").asInt()).isEqualTo(2);
			assertThat(body.get("duplicates").asInt()).isEqualTo(1);
			assertThat(body.get("rejected").asInt()).isEqualTo(1);
			JsonNode lines = body.get("lines");
			assertThat(lines.size()).as("blank lines are not answered").isEqualTo(4);
			assertThat(lines.get(0).get("status").asString()).isEqualTo("accepted");
			assertThat(lines.get(0).get("key").asString()).isEqualTo("a01");
			assertThat(lines.get(0).get("written").asString()).isEqualTo("a{seq}");
			assertThat(lines.get(1).get("status").asString()).isEqualTo("duplicate");
			assertThat(lines.get(1).get("key").asString()).as("a retry gets the key it got first").isEqualTo("a01");
			assertThat(lines.get(2).get("line").asInt()).isEqualTo(4);
			assertThat(lines.get(2).get("status").asString()).isEqualTo("rejected");
			assertThat(lines.get(2).get("field").asString()).isEqualTo("ttl");
			assertThat(server.get("/values/a01").body()).isEqualTo("{\"title\":\"One\"}");

			Path file = Files.writeString(this.tmp.resolve("more.jsonl"), """
					{"op":"put","key":"a{seq}","value":{"title":"Two"}}
					not json
					""");
			StringWriter out = new StringWriter();
			StringWriter err = new StringWriter();
			int code = new Cli().output(new PrintWriter(out), new PrintWriter(err))
				.run("stage", "--url", server.base, file.toString(), "--kvbatch.api.token=" + ApiServer.WRITE_TOKEN,
						"--kvbatch.data-dir=" + this.tmp.resolve("producer"));
			assertThat(code).as(err.toString()).isZero();
			assertThat(out.toString()).contains("a{seq} -> a02").contains("staged 1, rejected 1, duplicates 0");
			assertThat(err.toString()).contains("rejected " + file + ":2: ");
			assertThat(server.get("/values/a02").body()).isEqualTo("{\"title\":\"Two\"}");
			assertThat(this.tmp.resolve("producer/spool")).as("nothing staged locally").doesNotExist();
		}
	}

	@Test
	void stageUrlWithoutTheTokenFailsInOneLine() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			Path file = Files.writeString(this.tmp.resolve("in.jsonl"), "{\"op\":\"delete\",\"key\":\"x\"}\n");
			StringWriter err = new StringWriter();
			int code = new Cli().output(new PrintWriter(new StringWriter()), new PrintWriter(err))
				.run("stage", "--url", server.base, file.toString(), "--kvbatch.data-dir=" + this.tmp.resolve("p"));
			assertThat(code).isEqualTo(1);
			assertThat(err.toString()).contains("refused the staging request: Authentication error");
		}
	}

}
