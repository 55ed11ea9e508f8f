package dev.kvbatch.api;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A direct key round-trips byte for byte over real HTTP, binary values included: staged,
 * applied by compress, written to the local target, and after a restart of the server.
 */
class BinaryValuesHttpTests {

	@TempDir
	Path tmp;

	/** Random bytes that are not UTF-8, with NULs and a lone 0xff among them. */
	static byte[] binary(long seed, int size) {
		byte[] bytes = new byte[size];
		new Random(seed).nextBytes(bytes);
		bytes[0] = (byte) 0xff;
		bytes[1] = 0;
		bytes[size / 2] = 0;
		bytes[size - 1] = (byte) 0xc3;
		return bytes;
	}

	@Test
	void binaryAndTextValuesOfDirectKeysReadBackAsSentBeforeAndAfterCompressAndARestart() throws Exception {
		byte[] photo = binary(17, 70_000);
		byte[] spaced = "{\"title\": \"Album\" }".getBytes(StandardCharsets.UTF_8);
		byte[] words = "plain words, not JSON".getBytes(StandardCharsets.UTF_8);
		byte[] bulked = binary(18, 3000);
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			assertThat(putBytes(server, "/values/photo-1", photo).statusCode()).isEqualTo(200);
			assertThat(putBytes(server, "/values/spaced", spaced).statusCode()).isEqualTo(200);
			assertThat(putBytes(server, "/values/words", words).statusCode()).isEqualTo(200);
			HttpResponse<String> bulk = server.put("/bulk", "[{\"key\":\"bulked\",\"value\":\""
					+ Base64.getEncoder().encodeToString(bulked) + "\",\"base64\":true}]");
			assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
			assertThat(getBytes(server, "/values/photo-1")).as("staged").isEqualTo(photo);
			assertThat(getBytes(server, "/values/spaced")).isEqualTo(spaced);
			assertThat(getBytes(server, "/values/words")).isEqualTo(words);
			assertThat(getBytes(server, "/values/bulked")).isEqualTo(bulked);

			server.compress();
			assertThat(server.jdbc()
				.queryForObject("SELECT COUNT(*) FROM kv_outbox WHERE value_base64 = TRUE", Integer.class))
				.as("staged raw")
				.isEqualTo(4);
			assertThat(server.jdbc()
				.queryForObject("SELECT COUNT(*) FROM kv_entry WHERE value_base64 = TRUE", Integer.class))
				.as("applied raw")
				.isEqualTo(4);
			assertThat(localKv(server, "photo-1")).as("the local target holds the bytes").isEqualTo(photo);
			assertThat(localKv(server, "spaced")).isEqualTo(spaced);
			assertThat(localKv(server, "words")).isEqualTo(words);
			assertThat(localKv(server, "bulked")).isEqualTo(bulked);
			assertThat(getBytes(server, "/values/photo-1")).as("applied").isEqualTo(photo);
			assertThat(getBytes(server, "/values/words")).isEqualTo(words);
		}
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			assertThat(getBytes(server, "/values/photo-1")).as("after a restart").isEqualTo(photo);
			assertThat(getBytes(server, "/values/spaced")).isEqualTo(spaced);
			assertThat(getBytes(server, "/values/bulked")).isEqualTo(bulked);
			server.compress();
			assertThat(server.jdbc().queryForObject("SELECT COUNT(*) FROM kv_dead_letter", Integer.class)).isZero();
		}
	}

	@Test
	void compactJsonOfADirectKeyIsStagedAsJsonAsBefore() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			assertThat(server.put("/values/a15", "{\"title\":\"Album\"}").statusCode()).isEqualTo(200);
			server.compress();
			assertThat(server.jdbc()
				.queryForObject("SELECT value_base64 FROM kv_outbox WHERE logical_key = 'a15'", Boolean.class))
				.isNull();
			assertThat(server.jdbc()
				.queryForObject("SELECT value_base64 FROM kv_local WHERE key_name = 'a15'", Boolean.class)).isNull();
			assertThat(server.get("/values/a15").body()).isEqualTo("{\"title\":\"Album\"}");
		}
	}

	@Test
	void bulkGetAnswersRawTextAndRefusesBinaryNamingTheKey() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			putBytes(server, "/values/text-raw", "hello there".getBytes(StandardCharsets.UTF_8));
			putBytes(server, "/values/bin-raw", binary(3, 64));
			HttpResponse<String> text = server.send("POST", "/bulk/get", "{\"keys\":[\"text-raw\"]}");
			assertThat(text.statusCode()).as(text.body()).isEqualTo(200);
			assertThat(ApiServer.json(text).get("result").get("values").get("text-raw").asString())
				.isEqualTo("hello there");

			HttpResponse<String> binary = server.send("POST", "/bulk/get", "{\"keys\":[\"text-raw\",\"bin-raw\"]}");
			assertThat(binary.statusCode()).isEqualTo(400);
			assertThat(ApiServer.errorCode(binary)).isEqualTo(10001);
			assertThat(ApiServer.json(binary).get("errors").get(0).get("message").asString()).contains("\"bin-raw\"",
					"not UTF-8", "GET values/{key}");
		}
	}

	@Test
	void aBinaryValueForAPackedKeyIsRefusedNamingTheKeyAndRule() throws Exception {
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			HttpResponse<String> refused = putBytes(server, "/values/mobile-mapping:dev1:task9", binary(4, 32));
			assertThat(refused.statusCode()).isEqualTo(400);
			assertThat(ApiServer.json(refused).get("errors").get(0).get("message").asString())
				.contains("mobile-mapping:dev1:task9", "not UTF-8", "rule", "only a direct key");
			HttpResponse<String> bulk = server.put("/bulk", "[{\"key\":\"mobile-mapping:dev1:task9\",\"value\":\""
					+ Base64.getEncoder().encodeToString(binary(5, 32)) + "\",\"base64\":true}]");
			assertThat(bulk.statusCode()).isEqualTo(400);
			assertThat(server.get("/values/mobile-mapping:dev1:task9").statusCode()).as("nothing staged")
				.isEqualTo(404);
			HttpResponse<String> text = server.put("/bulk",
					"[{\"key\":\"mobile-mapping:dev1:task9\",\"value\":\""
							+ Base64.getEncoder().encodeToString("{\"a\":1}".getBytes(StandardCharsets.UTF_8))
							+ "\",\"base64\":true}]");
			assertThat(text.statusCode()).as("base64 of JSON text is JSON").isEqualTo(200);
			assertThat(server.get("/values/mobile-mapping:dev1:task9").body()).isEqualTo("{\"a\":1}");
		}
	}

	@Test
	void jsonLinesStagedWithBase64ReadBackAsBytesAndBadBase64IsRejectedNamingLineAndField() throws Exception {
		byte[] photo = binary(6, 500);
		try (ApiServer server = ApiServer.start(this.tmp.resolve("data"))) {
			String input = "{\"op\":\"put\",\"key\":\"staged-photo\",\"value\":\""
					+ Base64.getEncoder().encodeToString(photo) + "\",\"base64\":true}\n"
					+ "{\"op\":\"put\",\"key\":\"bad-photo\",\"value\":\"***\",\"base64\":true}\n"
					+ "{\"op\":\"put\",\"key\":\"mobile-mapping:d:t\",\"value\":\"AA==\",\"base64\":true}\n";
			HttpResponse<String> response = server.send("POST", server.base + "/v1/stage", input);
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			var lines = ApiServer.json(response).get("lines");
			assertThat(lines.get(0).get("status").asString()).isEqualTo("accepted");
			assertThat(lines.get(1).get("status").asString()).isEqualTo("rejected");
			assertThat(lines.get(1).get("line").asInt()).isEqualTo(2);
			assertThat(lines.get(1).get("field").asString()).isEqualTo("value");
			assertThat(lines.get(1).toString()).contains("not valid base64");
			assertThat(lines.get(2).get("status").asString()).as("a packed key takes no raw bytes")
				.isEqualTo("rejected");
			assertThat(lines.get(2).get("field").asString()).isEqualTo("base64");
			assertThat(lines.get(2).toString()).contains("only a direct key");
			assertThat(getBytes(server, "/values/staged-photo")).isEqualTo(photo);
			server.compress();
			assertThat(localKv(server, "staged-photo")).isEqualTo(photo);
		}
	}

	static HttpResponse<String> putBytes(ApiServer server, String path, byte[] body) {
		return server.send("PUT", path, HttpRequest.BodyPublishers.ofByteArray(body), ApiServer.withToken());
	}

	static byte[] getBytes(ApiServer server, String path) throws Exception {
		URI uri = URI.create(server.namespace + path);
		HttpResponse<byte[]> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + ApiServer.WRITE_TOKEN).build(),
					HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

	static byte[] localKv(ApiServer server, String key) {
		return server.jdbc()
			.queryForObject("SELECT value_text, value_base64 FROM kv_local WHERE key_name = ?",
					(rs, n) -> rs.getBoolean(2) ? Base64.getDecoder().decode(rs.getString(1))
							: rs.getString(1).getBytes(StandardCharsets.UTF_8),
					key);
	}

}
