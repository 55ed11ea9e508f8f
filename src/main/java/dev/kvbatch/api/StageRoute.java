package dev.kvbatch.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/stage}: the JSON Lines of {@code kvbatch stage} over HTTP, for
 * producers that are not KV clients (and {@code kvbatch stage --url}). Answers, once the
 * accepted lines are durable, per non-blank line whether it was accepted (with the key it
 * got, {@code {seq}} resolved) or rejected (with the field and reason), as
 * {@code {"staged":n,"rejected":n,"duplicates":n,"lines":[...]}}.
 */
@RestController
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class StageRoute {

	static final String PATH = "/v1/stage";

	/** As a bulk request of KV. */
	static final long MAX_BODY_BYTES = 100_000_000;

	private final ApiStaging staging;

	private final JsonMapper mapper;

	StageRoute(ApiStaging staging, JsonMapper mapper) {
		this.staging = staging;
		this.mapper = mapper;
	}

	@PostMapping(PATH)
	Map<String, Object> stage(HttpServletRequest request) throws IOException {
		byte[] body = request.getInputStream().readNBytes((int) MAX_BODY_BYTES + 1);
		if (body.length > MAX_BODY_BYTES) {
			throw new ApiException(HttpStatus.PAYLOAD_TOO_LARGE, ApiException.VALIDATION,
					"the body is larger than " + MAX_BODY_BYTES + " bytes; send it in parts");
		}
		// Lines are split here as kvbatch stage splits them, so that line numbers match.
		String text = new String(body, StandardCharsets.UTF_8);
		List<GroupCommit.Line> lines = new ArrayList<>();
		for (String line : text.split("\n", -1)) {
			lines.add(line(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line));
		}
		if (text.endsWith("\n")) {
			lines.remove(lines.size() - 1);
		}
		List<GroupCommit.Outcome> outcomes = this.staging.stage("POST /v1/stage", lines);
		List<Map<String, Object>> results = new ArrayList<>();
		long staged = 0;
		long rejected = 0;
		long duplicates = 0;
		for (int i = 0; i < outcomes.size(); i++) {
			GroupCommit.Outcome outcome = outcomes.get(i);
			if (lines.get(i).blank()) {
				continue;
			}
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("line", i + 1);
			if (outcome.rejected()) {
				rejected++;
				result.put("status", "rejected");
				if (outcome.field() != null) {
					result.put("field", outcome.field());
				}
				result.put("reason", outcome.reason());
			}
			else {
				result.put("status", outcome.duplicate() ? "duplicate" : "accepted");
				result.put("key", outcome.key());
				String written = lines.get(i).key();
				if (written != null && !written.equals(outcome.key())) {
					result.put("written", written);
				}
				if (outcome.duplicate()) {
					duplicates++;
				}
				else {
					staged++;
				}
			}
			results.add(result);
		}
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("staged", staged);
		answer.put("rejected", rejected);
		answer.put("duplicates", duplicates);
		answer.put("lines", results);
		return answer;
	}

	/**
	 * A line with what attributing its outcome needs: its key as written, {@code {seq}},
	 * id.
	 */
	private GroupCommit.Line line(String text) {
		@Nullable String key = null;
		boolean id = false;
		if (!text.isBlank()) {
			try {
				JsonNode node = this.mapper.readTree(text);
				if (node != null && node.get("key") != null && node.get("key").isString()) {
					key = node.get("key").asString();
				}
				id = node != null && node.get("id") != null && !node.get("id").isNull();
			}
			catch (JacksonException ex) {
				// kvbatch stage rejects it, with its reason.
			}
		}
		return new GroupCommit.Line(text, key, key != null && key.contains("{seq}"), id);
	}

}
