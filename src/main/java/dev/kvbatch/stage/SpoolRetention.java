package dev.kvbatch.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import dev.kvbatch.KvBatchProperties;
import dev.kvbatch.Trimmable;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Retention of the spool folder, the stage's own: ingested files in {@code spool/done/}
 * ({@code spool-done}) and the {@code *.tmp} files a dead stage run or producer left
 * ({@code spool-tmp}). Files, not rows: each batch removes at most that many files.
 */
@Configuration(proxyBeanMethods = false)
class SpoolRetention {

	@Bean
	Trimmable ingestedSpoolFiles(KvBatchProperties properties) {
		return new IngestedFiles(properties.spoolDir().resolve("done"));
	}

	@Bean
	Trimmable leftoverTmpFiles(KvBatchProperties properties, Clock clock) {
		return new LeftoverTmpFiles(properties.spoolDir(), clock);
	}

	/** Ingested files, by when they were last changed (ingest moved them). */
	private record IngestedFiles(Path done) implements Trimmable {

		@Override
		public String kind() {
			return "spool-done";
		}

		@Override
		public long due(Instant cutoff) {
			return older(cutoff).size();
		}

		@Override
		public long trim(Instant cutoff, int batchSize) {
			List<Path> old = older(cutoff);
			for (Path file : old.subList(0, Math.min(batchSize, old.size()))) {
				try {
					Files.deleteIfExists(file);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			return Math.min(batchSize, old.size());
		}

		private List<Path> older(Instant cutoff) {
			if (!Files.isDirectory(this.done)) {
				return List.of();
			}
			try (Stream<Path> files = Files.list(this.done)) {
				return files.filter((file) -> modified(file) < cutoff.toEpochMilli()).sorted().toList();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private static long modified(Path file) {
			try {
				return Files.getLastModifiedTime(file).toMillis();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

	}

	/**
	 * A {@code .tmp} file is removed only when unchanged for the retention and not held
	 * by a live stage run (which locks its files): a run reading a slow input keeps its
	 * file however long it takes.
	 */
	private record LeftoverTmpFiles(Path spoolDir, Clock clock) implements Trimmable {

		@Override
		public String kind() {
			return "spool-tmp";
		}

		@Override
		public long due(Instant cutoff) {
			return leftovers(cutoff).size();
		}

		@Override
		public long trim(Instant cutoff, int batchSize) {
			List<Path> old = leftovers(cutoff);
			long removed = 0;
			for (Path file : old.subList(0, Math.min(batchSize, old.size()))) {
				try {
					if (!SpoolWriter.inUse(file) && Files.deleteIfExists(file)) {
						removed++;
					}
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
			return removed;
		}

		private List<Path> leftovers(Instant cutoff) {
			if (!Files.isDirectory(this.spoolDir)) {
				return List.of();
			}
			try (Stream<Path> files = Files.list(this.spoolDir)) {
				return files.filter((file) -> file.getFileName().toString().endsWith(".tmp"))
					.filter((file) -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
					.filter((file) -> unchangedSince(file) < cutoff.toEpochMilli())
					.filter((file) -> !SpoolWriter.inUse(file))
					.sorted()
					.toList();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/**
		 * When a file last changed; now for one that is gone (a stage run committed it).
		 */
		private long unchangedSince(Path file) {
			try {
				return Files.getLastModifiedTime(file).toMillis();
			}
			catch (IOException ex) {
				return this.clock.millis();
			}
		}

	}

}
