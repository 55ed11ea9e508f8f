package dev.kvbatch.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;

/**
 * A benchmark workload shaped like the reports kvbatch started from: operations drawn
 * from a pool of about 10,000 distinct logical keys per million (mobile mappings over 50
 * devices, sync hashes, webhook deliveries of one day, hourly metrics and album codes),
 * four puts to each delete. Deterministic for a given size and start.
 */
public final class SeedWorkload {

	private static final int DEVICES = 50;

	private final long operations;

	private final int distinctKeys;

	private final Instant dayStart;

	public SeedWorkload(long operations, Instant dayStart) {
		this.operations = operations;
		this.distinctKeys = (int) Math.max(100, operations / 100);
		this.dayStart = dayStart;
	}

	public long operations() {
		return this.operations;
	}

	public int distinctKeys() {
		return this.distinctKeys;
	}

	/**
	 * Writes the operations as a complete spool file: {@code *.tmp}, then renamed, as
	 * producers must.
	 */
	public Path writeSpoolFile(Path spoolDir) throws IOException {
		Files.createDirectories(spoolDir);
		Path tmp = writeLines(spoolDir.resolve("bench.jsonl.tmp"), false);
		return Files.move(tmp, spoolDir.resolve("bench.jsonl"));
	}

	/**
	 * Writes the operations as staging input; with {@code ids}, each line carries an
	 * idempotency id of its own, as a producer that retries would give it.
	 */
	public Path writeLines(Path file, boolean ids) throws IOException {
		Files.createDirectories(file.toAbsolutePath().getParent());
		Random random = new Random(42);
		try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
			for (long i = 0; i < this.operations; i++) {
				int key = random.nextInt(this.distinctKeys);
				String line = (random.nextInt(5) == 0) ? delete(key) : put(key, i, random);
				out.write(ids ? line.substring(0, line.length() - 1) + ",\"id\":\"op-" + i + "\"}" : line);
				out.write('\n');
			}
		}
		return file;
	}

	/**
	 * The logical key of pool entry {@code n}: its shape is fixed by n, so the pool's mix
	 * never changes.
	 */
	private String key(int n) {
		int shape = n % 20;
		if (shape < 8) {
			return "mobile-mapping:dev%d:task%d".formatted(n % DEVICES, n);
		}
		if (shape < 13) {
			return "hash:%08x".formatted(n * 2654435761L & 0xffffffffL);
		}
		if (shape < 16) {
			return "webhook-delivery:d" + n;
		}
		if (shape < 19) {
			long ts = this.dayStart.toEpochMilli() + (n % 24) * 3_600_000L + n % 1000;
			return "metrics:%s:%d:%04x".formatted((n % 3 == 0) ? "sync_ms" : "webhook_ms", ts, n & 0xffff);
		}
		return "a%05d".formatted(n);
	}

	private String put(int n, long op, Random random) {
		String key = key(n);
		String value = key.startsWith("metrics:") ? Integer.toString(1 + random.nextInt(500))
				: "{\"rev\":%d,\"note\":\"x%d\"}".formatted(op, random.nextInt(10_000));
		String at = key.startsWith("webhook-delivery:") ? ",\"at\":\"" + this.dayStart.plusSeconds(n % 86_400) + "\""
				: "";
		return "{\"op\":\"put\",\"key\":\"%s\",\"value\":%s,\"ttl\":2592000%s}".formatted(key, value, at);
	}

	private String delete(int n) {
		return "{\"op\":\"delete\",\"key\":\"%s\"}".formatted(key(n));
	}

}
