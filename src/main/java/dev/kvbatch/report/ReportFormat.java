package dev.kvbatch.report;

import java.util.Locale;

/** The forms the usage report is written in, each to {@code usage-<date>.<extension>}. */
public enum ReportFormat {

	JSON("json"), CSV("csv"), TEXT("txt"), HTML("html");

	private final String extension;

	ReportFormat(String extension) {
		this.extension = extension;
	}

	public String extension() {
		return this.extension;
	}

	/** {@code text}, {@code json}, {@code csv} or {@code html}, in any case. */
	public static ReportFormat of(String name) {
		return valueOf(name.trim().toUpperCase(Locale.ROOT));
	}

}
