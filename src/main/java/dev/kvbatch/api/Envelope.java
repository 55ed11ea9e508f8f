package dev.kvbatch.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Cloudflare's response envelope: {@code success}, {@code errors[{code,message}]},
 * {@code messages}, {@code result} and, for lists, {@code result_info}.
 */
final class Envelope {

	private Envelope() {
	}

	static Map<String, @Nullable Object> ok(@Nullable Object result) {
		return ok(result, null);
	}

	static Map<String, @Nullable Object> ok(@Nullable Object result, @Nullable Map<String, ?> resultInfo) {
		Map<String, @Nullable Object> body = new LinkedHashMap<>();
		body.put("success", true);
		body.put("errors", List.of());
		body.put("messages", List.of());
		body.put("result", result);
		if (resultInfo != null) {
			body.put("result_info", resultInfo);
		}
		return body;
	}

	static Map<String, @Nullable Object> error(int code, String message) {
		Map<String, @Nullable Object> body = new LinkedHashMap<>();
		body.put("success", false);
		body.put("errors", List.of(Map.of("code", code, "message", message)));
		body.put("messages", List.of());
		body.put("result", null);
		return body;
	}

}
