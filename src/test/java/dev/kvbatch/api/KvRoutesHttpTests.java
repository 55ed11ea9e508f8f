package dev.kvbatch.api;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every KV route of the API over real HTTP, against the statuses, codes, envelope and
 * limits of Cloudflare's API (shared/reference/cloudflare-kv.md).
 */
class KvRoutesHttpTests {

	@TempDir
	static Path tmp;

	static ApiServer server;

	@BeforeAll
	static void start() {
		server = ApiServer.start(tmp.resolve("data"));
	}

	@AfterAll
	static void stop() {
		server.close();
	}

	@Test
	void readsItsOwnWriteBeforeCompressAndAfterIt() throws Exception {
		HttpResponse<String> put = server.put("/values/a15", "{\"title\":\"Album\",\"files\":[\"f1\"]}");
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
		JsonNode envelope = ApiServer.json(put);
		assertThat(envelope.get("success").asBoolean()).isTrue();
		assertThat(envelope.get("errors").isEmpty()).isTrue();
		assertThat(envelope.get("messages").isEmpty()).isTrue();

		HttpResponse<String> staged = server.get("/values/a15");
		assertThat(staged.statusCode()).isEqualTo(200);
		assertThat(staged.body()).isEqualTo("{\"title\":\"Album\",\"files\":[\"f1\"]}");
		assertThat(staged.headers().firstValue("content-type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("application/octet-stream"));

		server.compress();
		assertThat(server.jdbc().queryForObject("SELECT value_text FROM kv_local WHERE key_name = 'a15'", String.class))
			.as("compress wrote the direct key")
			.isEqualTo("{\"title\":\"Album\",\"files\":[\"f1\"]}");
		assertThat(server.get("/values/a15").body()).as("read from the logical store")
			.isEqualTo("{\"title\":\"Album\",\"files\":[\"f1\"]}");
	}

	@Test
	void aPhysicalKeyAnswersItsPackedValueAsTheNextCompressWritesIt() throws Exception {
		assertThat(server.put("/values/mobile-mapping:pk1:t1", "{\"a\":1}").statusCode()).isEqualTo(200);
		assertThat(server.put("/values/mobile-mapping:pk1:t2", "{\"b\":2}").statusCode()).isEqualTo(200);
		HttpResponse<String> staged = server.get("/values/mobile-batch:pk1");
		assertThat(staged.statusCode()).isEqualTo(200);
		assertThat(staged.body()).isEqualTo("{\"t1\":{\"a\":1},\"t2\":{\"b\":2}}");
		server.compress();
		assertThat(localKv("mobile-batch:pk1")).isEqualTo(staged.body());

		assertThat(server.send("DELETE", "/values/mobile-mapping:pk1:t1", "").statusCode()).isEqualTo(200);
		String afterDelete = server.get("/values/mobile-batch:pk1").body();
		assertThat(afterDelete).isEqualTo("{\"t2\":{\"b\":2}}");
		server.compress();
		assertThat(localKv("mobile-batch:pk1")).isEqualTo(afterDelete);

		assertThat(server.send("DELETE", "/values/mobile-mapping:pk1:t2", "").statusCode()).isEqualTo(200);
		assertThat(server.get("/values/mobile-batch:pk1").statusCode()).isEqualTo(404);
	}

	private static String localKv(String key) {
		return server.jdbc().queryForObject("SELECT value_text FROM kv_local WHERE key_name = ?", String.class, key);
	}

	@Test
	void deletedAndUnknownKeysAnswer404WithCode10009() throws Exception {
		assertThat(server.put("/values/gone-soon", "1").statusCode()).isEqualTo(200);
		assertThat(server.send("DELETE", "/values/gone-soon", "").statusCode()).isEqualTo(200);
		HttpResponse<String> deleted = server.get("/values/gone-soon");
		assertThat(deleted.statusCode()).isEqualTo(404);
		assertThat(ApiServer.errorCode(deleted)).isEqualTo(10009);
		assertThat(server.get("/metadata/gone-soon").statusCode()).isEqualTo(404);

		HttpResponse<String> unknown = server.get("/values/never-seen");
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(ApiServer.errorCode(unknown)).isEqualTo(10009);
	}

	@Test
	void aPackedKeyTakesTextThatIsNotJsonAsAJsonString() {
		assertThat(server.put("/values/mobile-mapping:dev1:task1", "plain words").statusCode()).isEqualTo(200);
		assertThat(server.get("/values/mobile-mapping:dev1:task1").body()).isEqualTo("\"plain words\"");
	}

	@Test
	void aDirectKeyTakesTextAndBytesThatAreNotJsonAndAnswersThemAsSent() throws Exception {
		HttpResponse<String> text = server.put("/values/plain-direct", "plain words");
		assertThat(text.statusCode()).as(text.body()).isEqualTo(200);
		assertThat(server.get("/values/plain-direct").body()).isEqualTo("plain words");

		byte[] jpeg = { (byte) 0xff, (byte) 0xd8, 0, 1 };
		HttpResponse<String> binary = server.send("PUT", "/values/binary-direct",
				HttpRequest.BodyPublishers.ofByteArray(jpeg), ApiServer.withToken());
		assertThat(binary.statusCode()).as(binary.body()).isEqualTo(200);
		assertThat(BinaryValuesHttpTests.getBytes(server, "/values/binary-direct")).isEqualTo(jpeg);
	}

	@Test
	void theCounterRefusesAValueThatIsNotJson() {
		HttpResponse<String> text = server.put("/values/__counter", "plain words");
		assertThat(text.statusCode()).isEqualTo(400);
		assertThat(ApiServer.errorCode(text)).isEqualTo(10001);
		assertThat(ApiServer.json(text).get("errors").get(0).get("message").asString()).contains("not JSON");
	}

	@Test
	void multipartValueIsStagedAndMetadataIsRefusedNotDropped() {
		String boundary = "kvbatchboundary";
		String withoutMetadata = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n"
				+ "{\"n\":1}\r\n--" + boundary + "--\r\n";
		HttpResponse<String> put = server.send("PUT", "/values/multi", withoutMetadata, "Content-Type",
				"multipart/form-data; boundary=" + boundary);
		assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
		assertThat(server.get("/values/multi").body()).isEqualTo("{\"n\":1}");

		String withMetadata = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"value\"\r\n\r\n"
				+ "{\"n\":2}\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n"
				+ "{\"owner\":\"bot\"}\r\n--" + boundary + "--\r\n";
		HttpResponse<String> refused = server.send("PUT", "/values/multi", withMetadata, "Content-Type",
				"multipart/form-data; boundary=" + boundary);
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(ApiServer.json(refused).get("errors").get(0).get("message").asString())
			.contains("does not carry KV metadata");
		assertThat(server.get("/values/multi").body()).as("the refused write staged nothing").isEqualTo("{\"n\":1}");

		HttpResponse<String> metadata = server.get("/metadata/multi");
		assertThat(metadata.statusCode()).isEqualTo(200);
		assertThat(ApiServer.json(metadata).get("result").isNull()).isTrue();
	}

	@Test
	void expirationTtlIsAtLeast60SecondsAndAnsweredAsTheExpirationHeader() {
		HttpResponse<String> short_ = server.put("/values/ttl-key?expiration_ttl=59", "1");
		assertThat(short_.statusCode()).isEqualTo(400);
		assertThat(ApiServer.errorCode(short_)).isEqualTo(10001);
		HttpResponse<String> past = server.put("/values/ttl-key?expiration=1000", "1");
		assertThat(past.statusCode()).isEqualTo(400);

		long before = System.currentTimeMillis() / 1000;
		assertThat(server.put("/values/ttl-key?expiration_ttl=3600&expiration=1000", "1").statusCode())
			.as("expiration_ttl wins over expiration")
			.isEqualTo(200);
		long expiration = Long
			.parseLong(server.get("/values/ttl-key").headers().firstValue("expiration").orElseThrow());
		assertThat(expiration).isBetween(before + 3600, before + 3700);
	}

	@Test
	void keysAreLimitedTo512BytesAndMayNotBeDotOrDotDot() {
		HttpResponse<String> tooLong = server.put("/values/" + "k".repeat(513), "1");
		assertThat(tooLong.statusCode()).isEqualTo(414);
		assertThat(ApiServer.errorCode(tooLong)).isEqualTo(10001);
		assertThat(server.put("/values/" + "k".repeat(512), "1").statusCode()).isEqualTo(200);
		assertThat(server.put("/values/%2E", "1").statusCode()).isEqualTo(400);
		assertThat(server.put("/values/%2E%2E", "1").statusCode()).isEqualTo(400);
	}

	@Test
	void percentEncodedKeysAreDecoded() {
		assertThat(server.put("/values/hash%3Aabc%21", "{\"v\":1}").statusCode()).isEqualTo(200);
		assertThat(server.get("/values/hash:abc!").body()).isEqualTo("{\"v\":1}");
	}

	@Test
	void valuesAreLimitedTo25MiB() {
		byte[] tooLarge = new byte[25 * 1024 * 1024 + 1];
		java.util.Arrays.fill(tooLarge, (byte) '1');
		HttpResponse<String> refused = server.send("PUT", "/values/large",
				HttpRequest.BodyPublishers.ofByteArray(tooLarge), ApiServer.withToken());
		assertThat(refused.statusCode()).isEqualTo(413);
		assertThat(ApiServer.errorCode(refused)).isEqualTo(10001);
	}

	@Test
	void bulkWriteStagesEveryItemAndBase64ValuesAreDecoded() {
		String encoded = Base64.getEncoder().encodeToString("{\"b\":true}".getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> bulk = server.put("/bulk",
				"[{\"key\":\"bulk-1\",\"value\":\"{\\\"n\\\":1}\"}," + "{\"key\":\"bulk-2\",\"value\":\"" + encoded
						+ "\",\"base64\":true},"
						+ "{\"key\":\"mobile-mapping:dev9:t1\",\"value\":\"text\",\"expiration_ttl\":600}]");
		assertThat(bulk.statusCode()).as(bulk.body()).isEqualTo(200);
		JsonNode result = ApiServer.json(bulk).get("result");
		assertThat(result.get("successful_key_count").asInt()).isEqualTo(3);
		assertThat(result.get("unsuccessful_keys").isEmpty()).isTrue();
		assertThat(server.get("/values/bulk-1").body()).isEqualTo("{\"n\":1}");
		assertThat(server.get("/values/bulk-2").body()).isEqualTo("{\"b\":true}");
		assertThat(server.get("/values/mobile-mapping:dev9:t1").headers().firstValue("expiration")).isPresent();

		HttpResponse<String> delete = server.send("POST", "/bulk/delete", "[\"bulk-1\",\"bulk-2\"]");
		assertThat(delete.statusCode()).isEqualTo(200);
		assertThat(ApiServer.json(delete).get("result").get("successful_key_count").asInt()).isEqualTo(2);
		assertThat(server.get("/values/bulk-1").statusCode()).isEqualTo(404);
		assertThat(server.get("/values/bulk-2").statusCode()).isEqualTo(404);
	}

	@Test
	void bulkRequestsHoldAtMost10000ItemsAndRefuseMetadata() {
		StringBuilder items = new StringBuilder("[");
		for (int i = 0; i <= 10_000; i++) {
			items.append((i > 0) ? "," : "").append("\"k").append(i).append('"');
		}
		HttpResponse<String> tooMany = server.send("POST", "/bulk/delete", items.append(']').toString());
		assertThat(tooMany.statusCode()).isEqualTo(413);

		HttpResponse<String> metadata = server.put("/bulk",
				"[{\"key\":\"with-metadata\",\"value\":\"1\",\"metadata\":{\"a\":1}}]");
		assertThat(metadata.statusCode()).isEqualTo(400);
		assertThat(ApiServer.errorCode(metadata)).isEqualTo(10001);
		assertThat(server.get("/values/with-metadata").statusCode()).isEqualTo(404);

		HttpResponse<String> notArray = server.put("/bulk", "{\"key\":\"x\"}");
		assertThat(notArray.statusCode()).isEqualTo(400);
	}

	@Test
	void bulkGetAnswersValuesAsTextOrJsonWithMetadataAndNullForMissingKeys() {
		server.put("/values/bg-1", "{\"n\":1}");
		HttpResponse<String> text = server.send("POST", "/bulk/get", "{\"keys\":[\"bg-1\",\"bg-missing\"]}");
		assertThat(text.statusCode()).isEqualTo(200);
		JsonNode values = ApiServer.json(text).get("result").get("values");
		assertThat(values.get("bg-1").asString()).isEqualTo("{\"n\":1}");
		assertThat(values.get("bg-missing").isNull()).isTrue();

		JsonNode json = ApiServer
			.json(server.send("POST", "/bulk/get", "{\"keys\":[\"bg-1\"],\"type\":\"json\",\"withMetadata\":true}"))
			.get("result")
			.get("values")
			.get("bg-1");
		assertThat(json.get("value").get("n").asInt()).isEqualTo(1);
		assertThat(json.has("metadata")).isTrue();

		List<String> keys = new ArrayList<>();
		for (int i = 0; i < 101; i++) {
			keys.add("\"k" + i + "\"");
		}
		HttpResponse<String> tooMany = server.send("POST", "/bulk/get", "{\"keys\":[" + String.join(",", keys) + "]}");
		assertThat(tooMany.statusCode()).isEqualTo(400);
		assertThat(ApiServer.errorCode(tooMany)).isEqualTo(10001);
	}

	@Test
	void listsLogicalKeysByPrefixInPagesWithACursor() throws Exception {
		for (int i = 0; i < 25; i++) {
			assertThat(server.put("/values/list:%02d".formatted(i), String.valueOf(i)).statusCode()).isEqualTo(200);
		}
		server.compress();
		assertThat(server.send("DELETE", "/values/list:03", "").statusCode()).isEqualTo(200);
		assertThat(server.put("/values/list:99", "99").statusCode()).isEqualTo(200);

		List<String> names = new ArrayList<>();
		String cursor = "";
		int pages = 0;
		do {
			HttpResponse<String> page = server.get("/keys?prefix=list:&limit=10&cursor=" + cursor);
			assertThat(page.statusCode()).isEqualTo(200);
			JsonNode body = ApiServer.json(page);
			body.get("result").forEach((key) -> names.add(key.get("name").asString()));
			assertThat(body.get("result_info").get("count").asInt()).isEqualTo(body.get("result").size());
			cursor = body.get("result_info").get("cursor").asString();
			pages++;
		}
		while (!cursor.isEmpty());
		assertThat(pages).isEqualTo(3);
		assertThat(names).hasSize(25).doesNotContain("list:03").contains("list:00", "list:24", "list:99").isSorted();

		assertThat(server.get("/keys?limit=9").statusCode()).isEqualTo(400);
		assertThat(server.get("/keys?limit=1001").statusCode()).isEqualTo(400);
	}

	@Test
	void listsTheConfiguredNamespace() {
		HttpResponse<String> namespaces = server.get(server.base + "/client/v4/accounts/kvbatch/storage/kv/namespaces");
		assertThat(namespaces.statusCode()).isEqualTo(200);
		assertThat(ApiServer.json(namespaces).get("result").get(0).get("id").asString()).isEqualTo("kvbatch");
	}

	@Test
	void anotherAccountOrNamespaceAnswers404WithCode10013() {
		HttpResponse<String> namespace = server
			.get(server.base + "/client/v4/accounts/kvbatch/storage/kv/namespaces/other/values/a1");
		assertThat(namespace.statusCode()).isEqualTo(404);
		assertThat(ApiServer.errorCode(namespace)).isEqualTo(10013);
		HttpResponse<String> account = server
			.get(server.base + "/client/v4/accounts/other/storage/kv/namespaces/kvbatch/values/a1");
		assertThat(account.statusCode()).isEqualTo(404);
		assertThat(ApiServer.errorCode(account)).isEqualTo(10013);
	}

	@Test
	void anUnknownRouteAnswers404WithCode7003() {
		HttpResponse<String> none = server.get(server.base + "/client/v4/accounts/kvbatch/nothing");
		assertThat(none.statusCode()).isEqualTo(404);
		assertThat(ApiServer.errorCode(none)).isEqualTo(7003);
	}

	@Test
	void aMissingOrWrongTokenGets401WithCode10000AndAReadTokenCannotWrite() {
		HttpResponse<String> missing = server.send("GET", "/values/a1", HttpRequest.BodyPublishers.noBody());
		assertThat(missing.statusCode()).isEqualTo(401);
		assertThat(ApiServer.errorCode(missing)).isEqualTo(10000);
		HttpResponse<String> wrong = server.send("GET", "/values/a1", HttpRequest.BodyPublishers.noBody(),
				"Authorization", "Bearer " + ApiServer.WRITE_TOKEN + "x");
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(wrong.body()).doesNotContain(ApiServer.WRITE_TOKEN);

		String read = "Bearer " + ApiServer.READ_TOKEN;
		HttpResponse<String> write = server.send("PUT", "/values/read-token", "1", "Authorization", read);
		assertThat(write.statusCode()).isEqualTo(403);
		assertThat(ApiServer.errorCode(write)).isEqualTo(10000);
		assertThat(server.get("/values/read-token").statusCode()).as("nothing staged").isEqualTo(404);
		server.put("/values/read-token", "1");
		assertThat(server.send("GET", "/values/read-token", HttpRequest.BodyPublishers.noBody(), "Authorization", read)
			.statusCode()).isEqualTo(200);
		assertThat(server.send("POST", "/bulk/get", "{\"keys\":[\"read-token\"]}", "Authorization", read).statusCode())
			.isEqualTo(200);
	}

	@Test
	void aRetryWithTheSameIdempotencyKeyStagesOnceAndAnotherRecordWithItIsRefused() throws Exception {
		long before = stagedRecords();
		assertThat(server.send("PUT", "/values/idem", "{\"v\":1}", "Idempotency-Key", "upload-7").statusCode())
			.isEqualTo(200);
		assertThat(server.send("PUT", "/values/idem", "{\"v\":1}", "Idempotency-Key", "upload-7").statusCode())
			.as("a retry is acknowledged")
			.isEqualTo(200);
		assertThat(stagedRecords() - before).as("staged once").isEqualTo(1);

		HttpResponse<String> other = server.send("PUT", "/values/idem", "{\"v\":2}", "Idempotency-Key", "upload-7");
		assertThat(other.statusCode()).isEqualTo(400);
		assertThat(server.get("/values/idem").body()).isEqualTo("{\"v\":1}");
	}

	/** Record lines in the spool files of the data folder, ingested or not. */
	private static long stagedRecords() throws Exception {
		long lines = 0;
		for (Path dir : List.of(tmp.resolve("data/spool"), tmp.resolve("data/spool/done"))) {
			if (!java.nio.file.Files.isDirectory(dir)) {
				continue;
			}
			try (var files = java.nio.file.Files.list(dir)) {
				for (Path file : files.filter((f) -> f.toString().endsWith(".jsonl")).toList()) {
					lines += java.nio.file.Files.readAllLines(file)
						.stream()
						.filter((line) -> line.contains("\"op\""))
						.count();
				}
			}
		}
		return lines;
	}

}
