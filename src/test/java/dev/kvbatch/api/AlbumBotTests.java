package dev.kvbatch.api;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.job.JobExecution;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client written the way the album bot is (kv_get, kv_put, next_code() reading and
 * writing {@code __counter}, then the album), pointed at kvbatch by its base URL alone:
 * it reads its own writes at once, and KV gets at most one write per album and one
 * {@code __counter} write per compress run.
 */
class AlbumBotTests {

	@TempDir
	Path tmp;

	@Test
	void hundredUploadsEachGetTheirOwnCodeAndCompressWritesEachKeyOnce() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			AlbumBot bot = new AlbumBot(server);
			for (int i = 1; i <= 100; i++) {
				assertThat(bot
					.upload("{\"title\":\"Album " + i + "\",\"category\":\"Cosplay\",\"files\":[\"f" + i + "\"]}"))
					.isEqualTo(i);
			}
			JobExecution first = server.compress();
			assertThat(kvWrites(server, first)).as("100 albums and one __counter").isEqualTo(101);
			assertThat(localKv(server, "__counter")).isEqualTo("100");
			assertThat(localKv(server, "a07"))
				.isEqualTo("{\"title\":\"Album 7\",\"category\":\"Cosplay\",\"files\":[\"f7\"]}");
			assertThat(localKv(server, "a100")).contains("Album 100");

			for (int i = 101; i <= 110; i++) {
				assertThat(bot.upload("{\"title\":\"Album " + i + "\"}")).isEqualTo(i);
			}
			JobExecution second = server.compress();
			assertThat(kvWrites(server, second)).as("10 albums and one __counter").isEqualTo(11);
			assertThat(localKv(server, "__counter")).isEqualTo("110");
			assertThat(
					server.jdbc().queryForObject("SELECT COUNT(*) FROM kv_local WHERE key_name LIKE 'a%'", Long.class))
				.isEqualTo(110);
		}
	}

	private static long kvWrites(ApiServer server, JobExecution execution) {
		Long keys = server.jdbc()
			.queryForObject("SELECT COALESCE(SUM(keys), 0) FROM kv_ledger WHERE operation = 'write' AND "
					+ "job_execution_id = ?", Long.class, execution.getId());
		return (keys != null) ? keys : 0;
	}

	private static String localKv(ApiServer server, String key) {
		return server.jdbc().queryForObject("SELECT value_text FROM kv_local WHERE key_name = ?", String.class, key);
	}

	/**
	 * The bot's KV calls, as its Python code makes them: only the base URL points at
	 * kvbatch.
	 */
	static final class AlbumBot {

		private final ApiServer server;

		AlbumBot(ApiServer server) {
			this.server = server;
		}

		String kvGet(String key) {
			HttpResponse<String> response = this.server.get("/values/" + key);
			if (response.statusCode() == 404) {
				return null;
			}
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			return response.body();
		}

		void kvPut(String key, String value) {
			HttpResponse<String> response = this.server.put("/values/" + key, value);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		}

		int nextCode() {
			String current = kvGet("__counter");
			int next = ((current != null) ? Integer.parseInt(current) : 0) + 1;
			kvPut("__counter", String.valueOf(next));
			return next;
		}

		int upload(String album) {
			int code = nextCode();
			kvPut("a%02d".formatted(code), album);
			return code;
		}

	}

}
