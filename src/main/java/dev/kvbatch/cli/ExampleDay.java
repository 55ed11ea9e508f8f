package dev.kvbatch.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A day of staged operations shaped like the two reports kvbatch started from: a sync
 * service's mobile mappings, sync hashes, webhook deliveries and metrics (832 writes and
 * 372 deletes a day), and a bot's album uploads with {@code {seq}} codes. Deterministic:
 * the same day gives the same lines.
 */
final class ExampleDay {

	static final int HOURS = 24;

	static final int MAPPING_PUTS = 300;

	static final int HASH_PUTS = 200;

	static final int WEBHOOK_PUTS = 150;

	static final int METRIC_PUTS = 182;

	static final int MAPPING_DELETES = 150;

	static final int HASH_DELETES = 120;

	static final int WEBHOOK_DELETES = 102;

	static final int UPLOADS = 20;

	private static final long NINETY_DAYS = 90L * 24 * 3600;

	private static final long THIRTY_DAYS = 30L * 24 * 3600;

	private static final long SEVEN_DAYS = 7L * 24 * 3600;

	private static final String[] DEVICES = { "iphone-anna", "ipad-anna", "mac-ben" };

	private static final String[] METRICS = { "sync_ms", "webhook_ms", "tasks_synced" };

	private static final String[] CATEGORIES = { "Cosplay", "Landscape", "Street" };

	private final LocalDate day;

	ExampleDay(LocalDate day) {
		this.day = day;
	}

	/**
	 * The staging lines of one UTC hour (0–23), in the order the app would have sent
	 * them.
	 */
	List<String> hour(int hour) {
		Random random = new Random(this.day.toEpochDay() * 31 + hour);
		Instant start = this.day.atStartOfDay(ZoneOffset.UTC).toInstant().plus(hour, ChronoUnit.HOURS);
		List<String> lines = new ArrayList<>();
		for (int i = share(MAPPING_PUTS, hour); i < share(MAPPING_PUTS, hour + 1); i++) {
			String device = DEVICES[i % DEVICES.length];
			lines.add(put("mobile-mapping:%s:task%d".formatted(device, i / 2),
					"{\"thingsId\":\"T-%d\",\"rev\":%d}".formatted(i / 2, i), NINETY_DAYS, at(start, random)));
		}
		for (int i = share(MAPPING_DELETES, hour); i < share(MAPPING_DELETES, hour + 1); i++) {
			// A task completed after its mapping was written: the i-th mapping written is
			// deleted later in the day.
			lines.add(delete("mobile-mapping:%s:task%d".formatted(DEVICES[i % DEVICES.length], i / 2)));
		}
		for (int i = share(HASH_PUTS, hour); i < share(HASH_PUTS, hour + 1); i++) {
			lines.add(put("hash:%08x".formatted(i * 2654435761L & 0xffffffffL),
					"{\"todoistId\":\"%d\",\"thingsId\":\"T-%d\"}".formatted(7000 + i, i), THIRTY_DAYS,
					at(start, random)));
		}
		for (int i = share(HASH_DELETES, hour); i < share(HASH_DELETES, hour + 1); i++) {
			lines.add(delete("hash:%08x".formatted(i * 2654435761L & 0xffffffffL)));
		}
		for (int i = share(WEBHOOK_PUTS, hour); i < share(WEBHOOK_PUTS, hour + 1); i++) {
			String delivery = "%s-d%d".formatted(this.day, i);
			lines.add(("{\"op\":\"put\",\"key\":\"webhook-delivery:%s\",\"id\":\"delivery-%s\",\"value\":"
					+ "{\"status\":200,\"event\":\"item:updated\"},\"ttl\":%d,\"at\":\"%s\"}")
				.formatted(delivery, delivery, SEVEN_DAYS, at(start, random)));
		}
		for (int i = share(WEBHOOK_DELETES, hour); i < share(WEBHOOK_DELETES, hour + 1); i++) {
			lines.add(delete("webhook-delivery:%s-d%d".formatted(this.day, i)));
		}
		for (int i = share(METRIC_PUTS, hour); i < share(METRIC_PUTS, hour + 1); i++) {
			Instant at = at(start, random);
			lines.add(put(
					"metrics:%s:%d:%04x".formatted(METRICS[i % METRICS.length], at.toEpochMilli(),
							random.nextInt(0x10000)),
					"{\"value\":%d}".formatted(20 + random.nextInt(400)), SEVEN_DAYS, at));
		}
		for (int i = share(UPLOADS, hour); i < share(UPLOADS, hour + 1); i++) {
			lines.add(("{\"op\":\"put\",\"key\":\"a{seq}\",\"kind\":\"upload\",\"value\":{\"title\":\"Album %d\","
					+ "\"category\":\"%s\",\"files\":[\"f%d-1\",\"f%d-2\"]}}")
				.formatted(i, CATEGORIES[i % CATEGORIES.length], i, i));
		}
		return lines;
	}

	/**
	 * Operations of a kind done before the given hour: spreads a day's count evenly over
	 * the hours.
	 */
	private static int share(int total, int hour) {
		return total * hour / HOURS;
	}

	private static Instant at(Instant hourStart, Random random) {
		return hourStart.plusSeconds(random.nextInt(3600));
	}

	private static String put(String key, String value, long ttl, Instant at) {
		return "{\"op\":\"put\",\"key\":\"%s\",\"value\":%s,\"ttl\":%d,\"at\":\"%s\"}".formatted(key, value, ttl, at);
	}

	private static String delete(String key) {
		return "{\"op\":\"delete\",\"key\":\"%s\"}".formatted(key);
	}

}
