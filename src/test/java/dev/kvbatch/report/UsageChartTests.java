package dev.kvbatch.report;

import dev.kvbatch.metering.Operation;
import dev.kvbatch.metering.Plan;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UsageChartTests {

	@Test
	void rendersTheHistoryAsTheSamePngEachTime() throws IOException {
		UsageReport report = report();

		byte[] png = UsageChart.png(report);

		BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
		assertThat(image.getWidth()).isEqualTo(720);
		assertThat(image.getHeight()).isEqualTo(320);
		assertThat(UsageChart.png(report)).as("files are rewritten byte for byte").isEqualTo(png);
	}

	@Test
	void labelsTheReportsOwnDay() {
		UsageReport report = report();

		assertThat(report.history()).extracting((point) -> UsageChart.label(point, report))
			.startsWith("11-10", "11-11")
			.endsWith("11-22", "11-23 (report)")
			.hasSize(14);
	}

	static UsageReport report() {
		LocalDate date = LocalDate.of(2026, 11, 23);
		List<UsageReport.DayPoint> history = new ArrayList<>();
		for (int i = 13; i >= 0; i--) {
			history.add(new UsageReport.DayPoint(date.minusDays(i), 60L * (14 - i), 300L * (14 - i), 1000));
		}
		List<UsageReport.OperationUsage> operations = UsageCalculator.operations(Plan.FREE, date,
				Map.of(Operation.WRITE, 860L), null);
		return new UsageReport(date, "free", new UsageReport.Period(date, date, "day"), operations,
				UsageCalculator.worst(operations), UsageCalculator.alerts(Plan.FREE, operations),
				new UsageReport.Staged(0, 0, 0, 0), UsageCalculator.compression(0, 860),
				new UsageReport.Backlog(0, null, 0, Instant.parse("2026-11-24T00:00:00Z")),
				new UsageReport.DeadLetterCounts(0, 0, 0),
				UsageCalculator.freeForecast(1000, 860, 860, new UsageReport.Staged(0, 0, 0, 0)), List.of(), history,
				null);
	}

}
