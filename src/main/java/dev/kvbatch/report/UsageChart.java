package dev.kvbatch.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.format.DateTimeFormatter;
import java.util.List;

import dev.kvbatch.report.UsageReport.DayPoint;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.style.Styler.LegendLayout;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's chart as a PNG: per day of the history, the KV writes kvbatch sent against
 * the plan's write limit, with the staged logical writes beside them (what direct writes
 * would have cost). Rendered off-screen; needs no display ({@code java.awt.headless},
 * which Spring Boot sets).
 */
public final class UsageChart {

	/** The content id the mail's HTML part refers to the chart by. */
	public static final String CONTENT_ID = "usage-chart";

	private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MM-dd");

	private UsageChart() {
	}

	/** {@code 11-22}, and the report's own day as {@code 11-23 (report)}. */
	static String label(DayPoint point, UsageReport report) {
		String day = DAY.format(point.date());
		return point.date().equals(report.date()) ? day + " (report)" : day;
	}

	public static byte[] png(UsageReport report) {
		List<DayPoint> history = report.history();
		List<String> days = history.stream().map((point) -> label(point, report)).toList();
		CategoryChart chart = new CategoryChartBuilder().width(720)
			.height(320)
			.title("KV writes per UTC day, %s plan (report day %s)".formatted(report.plan(), DAY.format(report.date())))
			.yAxisTitle("operations")
			.build();
		chart.getStyler()
			.setLegendPosition(LegendPosition.OutsideS)
			.setLegendLayout(LegendLayout.Horizontal)
			.setChartBackgroundColor(Color.WHITE)
			.setPlotBackgroundColor(Color.WHITE)
			.setSeriesColors(
					new Color[] { new Color(0x2b6cb0), new Color(0xa0aec0), new Color(0xc53030), new Color(0xb7791f) })
			.setAntiAlias(true);
		// Every day gets its label (XChart leaves out labels closer than its spacing
		// hint), so the report's own day always has one.
		chart.getStyler()
			.setOverlapped(false)
			.setYAxisMin(0.0)
			.setXAxisLabelRotation(45)
			.setXAxisTickMarkSpacingHint(8)
			.setXAxisMaxLabelCount(history.size());
		chart.addSeries("KV writes", days, history.stream().map(DayPoint::kvWrites).toList());
		chart.addSeries("staged logical writes", days, history.stream().map(DayPoint::stagedWrites).toList());
		chart
			.addSeries(report.plan().equals("paid") ? "monthly inclusion / days" : "write limit", days,
					history.stream().map(DayPoint::limit).toList())
			.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Line)
			.setMarker(SeriesMarkers.NONE);
		chart
			.addSeries("80 % of the limit: warning", days,
					history.stream().map((point) -> point.limit() * Zone.ALERT_PERCENT / 100.0).toList())
			.setChartCategorySeriesRenderStyle(CategorySeriesRenderStyle.Line)
			.setMarker(SeriesMarkers.NONE)
			.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
					new float[] { 6f, 4f }, 0f));
		try {
			return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
