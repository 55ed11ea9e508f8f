package dev.kvbatch.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import dev.kvbatch.KvBatchProperties;

import org.springframework.stereotype.Component;

/**
 * Writes a report to {@code <data-dir>/reports/usage-<date>.{json,csv,txt,html}}. Each
 * file is written whole to a temporary file and renamed over the old one, so a reader
 * never sees half a report; the same report gives the same bytes.
 */
@Component
public class ReportFiles {

	private final Path dir;

	private final HtmlReport html;

	public ReportFiles(KvBatchProperties properties, HtmlReport html) {
		this.dir = properties.dataDir().resolve("reports");
		this.html = html;
	}

	/** Where the report of a day is written in a format. */
	public Path path(LocalDate date, ReportFormat format) {
		return this.dir.resolve("usage-%s.%s".formatted(date, format.extension()));
	}

	/** Writes all four forms; returns their paths. */
	public List<Path> write(UsageReport report, byte[] chartPng) {
		List<Path> written = new ArrayList<>();
		for (ReportFormat format : ReportFormat.values()) {
			Path path = path(report.date(), format);
			write(path, render(report, format, chartPng));
			written.add(path);
		}
		return written;
	}

	String render(UsageReport report, ReportFormat format, byte[] chartPng) {
		if (format == ReportFormat.JSON) {
			return JsonReport.render(report);
		}
		if (format == ReportFormat.CSV) {
			return CsvReport.render(report);
		}
		if (format == ReportFormat.TEXT) {
			return TextReport.render(report);
		}
		return this.html.render(report, "data:image/png;base64," + Base64.getEncoder().encodeToString(chartPng));
	}

	private static void write(Path path, String content) {
		try {
			Files.createDirectories(path.getParent());
			Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
			Files.writeString(tmp, content, StandardCharsets.UTF_8);
			Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + path, ex);
		}
	}

}
