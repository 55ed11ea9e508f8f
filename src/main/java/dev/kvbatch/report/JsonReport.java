package dev.kvbatch.report;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The report as indented JSON, fields in the order of the report's records (contract §6
 * names). Dates and instants are ISO-8601 text.
 */
public final class JsonReport {

	private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

	private JsonReport() {
	}

	public static String render(UsageReport report) {
		return MAPPER.writeValueAsString(report) + "\n";
	}

}
