package dev.kvbatch.report;

import dev.kvbatch.metering.Operation;
import dev.kvbatch.metering.Plan;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import dev.kvbatch.report.UsageReport.Forecast;
import dev.kvbatch.report.UsageReport.OperationUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class UsageCalculatorTests {

	private static final LocalDate NOV_15 = LocalDate.of(2026, 11, 15);

	@ParameterizedTest
	@CsvSource({ "0, safe", "79.9, safe", "79.99, safe", "80, warning", "86, warning", "100, warning",
			"100.1, exceeded", "250, exceeded" })
	void placesPercentagesInZones(double percent, String zone) {
		assertThat(Zone.of(percent).label()).isEqualTo(zone);
	}

	@ParameterizedTest
	@CsvSource({ "799, safe", "800, warning", "1000, warning", "1001, exceeded" })
	void placesFreePlanWritesInZonesAtTheDailyLimit(long writes, String zone) {
		OperationUsage write = UsageCalculator.operations(Plan.FREE, NOV_15, Map.of(Operation.WRITE, writes), null)
			.get(Operation.WRITE.ordinal());

		assertThat(write.limit()).isEqualTo(1000);
		assertThat(write.zone().label()).isEqualTo(zone);
	}

	@Test
	void countsTheLargerOfKvbatchAndTheAccount() {
		List<OperationUsage> operations = UsageCalculator.operations(Plan.FREE, NOV_15,
				Map.of(Operation.WRITE, 860L, Operation.READ, 10L), Map.of(Operation.WRITE, 950L, Operation.READ, 5L));

		assertThat(operations.get(0)).extracting(OperationUsage::used, OperationUsage::kvbatch, OperationUsage::account)
			.containsExactly(10L, 10L, 5L);
		assertThat(operations.get(1)).extracting(OperationUsage::used, OperationUsage::kvbatch, OperationUsage::account)
			.containsExactly(950L, 860L, 950L);
		assertThat(operations.get(1).percent()).isEqualTo(95.0);
	}

	@Test
	void alertsFromEightyPercentWithTheFigures() {
		List<OperationUsage> operations = UsageCalculator.operations(Plan.FREE, NOV_15,
				Map.of(Operation.WRITE, 860L, Operation.LIST, 1001L, Operation.DELETE, 799L), null);

		assertThat(UsageCalculator.worst(operations)).isEqualTo(Zone.EXCEEDED);
		assertThat(UsageCalculator.alerts(Plan.FREE, operations)).containsExactly(
				"WARNING: writes at 86 % of the free plan's daily limit (860 of 1,000): Cloudflare refuses further writes"
						+ " at 100 % until 00:00 UTC. What to do: kvbatch stops at its budget (kvbatch.budget.headroom,"
						+ " 90 % by default) and sends the rest after 00:00 UTC; to need fewer writes, run compress less"
						+ " often or pack more keys into each physical key (jobs/packing.yaml), or move to the paid plan"
						+ " (kvbatch.plan=paid)",
				"EXCEEDED: lists at 100.1 % of the free plan's daily limit (1,001 of 1,000): Cloudflare refuses further"
						+ " lists at 100 % until 00:00 UTC. What to do: kv list and run migrate list keys; run them less"
						+ " often");
	}

	@Test
	void anAlertNamesWhatTheRestOfTheAccountSpent() {
		List<OperationUsage> operations = UsageCalculator.operations(Plan.FREE, NOV_15, Map.of(Operation.WRITE, 300L),
				Map.of(Operation.WRITE, 1200L));

		assertThat(UsageCalculator.alerts(Plan.FREE, operations)).singleElement()
			.asString()
			.startsWith("EXCEEDED: writes at 120 % of the free plan's daily limit (1,200 of 1,000)")
			.contains("What to do: other Workers and wrangler of the account spent 900 of them, kvbatch 300; keys"
					+ " Cloudflare refused stay dirty and go out after 00:00 UTC");
	}

	@Test
	void projectsThePaidMonthAtThePaceSoFar() {
		// 15 of November's 30 days: the month doubles what was used so far.
		List<OperationUsage> operations = UsageCalculator.operations(Plan.PAID, NOV_15, Map.of(Operation.READ,
				6_000_000L, Operation.WRITE, 750_000L, Operation.DELETE, 100_000L, Operation.LIST, 1_200_000L), null);

		assertThat(operations).extracting(OperationUsage::projected)
			.containsExactly(12_000_000L, 1_500_000L, 200_000L, 2_400_000L);
		// reads: 2M beyond 10M at $0.50/M; writes: 0.5M beyond 1M at $5/M; lists 1.4M at
		// $5/M.
		assertThat(operations).extracting(OperationUsage::projectedCost)
			.containsExactly(new BigDecimal("1.00"), new BigDecimal("2.50"), new BigDecimal("0.00"),
					new BigDecimal("7.00"));
		assertThat(operations.get(3).zone()).isEqualTo(Zone.EXCEEDED);
		Forecast forecast = UsageCalculator.paidForecast(Plan.PAID, operations);
		assertThat(forecast.projectedMonthCost()).isEqualByComparingTo("10.50");
		// Lists already 0.2M beyond their inclusion: $1.00 so far.
		assertThat(forecast.costToDate()).isEqualByComparingTo("1.00");
		assertThat(forecast.writesLeft()).isNull();
	}

	@Test
	void forecastsUploadsAndChangesLeftTodayAtTheDaysMix() {
		// 860 KV writes for 2,500 staged operations: 0.344 a staged operation.
		Forecast forecast = UsageCalculator.freeForecast(1000, 860, 860, new UsageReport.Staged(2000, 500, 100, 2400));

		assertThat(forecast.writesLeft()).isEqualTo(140);
		assertThat(forecast.kvWritesPerStagedOp()).isEqualTo(0.344);
		// 140 / 0.344 = 406 staged operations, 4 % of them uploads.
		assertThat(forecast.uploads()).isEqualTo(16);
		assertThat(forecast.changes()).isEqualTo(390);
	}

	@Test
	void forecastsDirectWritesWhenNothingWasStaged() {
		Forecast forecast = UsageCalculator.freeForecast(1000, 1200, 0, new UsageReport.Staged(0, 0, 0, 0));

		assertThat(forecast.writesLeft()).isZero();
		assertThat(forecast.kvWritesPerStagedOp()).isEqualTo(1.0);
		assertThat(forecast.uploads()).isZero();
		assertThat(forecast.changes()).isZero();
	}

	@Test
	void comparesLogicalWritesWithWhatReachedKv() {
		assertThat(UsageCalculator.compression(1224, 184).ratio()).isEqualTo(6.65);
		assertThat(UsageCalculator.compression(10, 0).ratio()).isNull();
	}

	@ParameterizedTest
	@CsvSource({ "86.0, 86", "79.99, 79.9", "100.1, 100.1", "0.0, 0", "18.4, 18.4" })
	void printsPercentagesWithoutRoundingIntoTheNextZone(double percent, String text) {
		assertThat(UsageCalculator.percentText(percent)).isEqualTo(text);
	}

}
