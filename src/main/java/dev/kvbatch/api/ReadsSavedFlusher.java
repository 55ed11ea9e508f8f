package dev.kvbatch.api;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.kvbatch.metering.ReadsSaved;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Writes the reads the API answered locally to the database once a second, from a thread
 * of its own, and a last time when the server stops (after the requests in flight have
 * been answered: the web server stops before this bean is closed). A read is counted in
 * memory only ({@link ReadsSaved#count}), so a {@code GET} adds no write, no sync and no
 * lock to the request path; a {@code kill -9} loses at most the last second's count.
 */
final class ReadsSavedFlusher implements AutoCloseable {

	static final Duration EVERY = Duration.ofSeconds(1);

	private static final Log logger = LogFactory.getLog(ReadsSavedFlusher.class);

	private final ReadsSaved reads;

	private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor((task) -> {
		Thread flusher = new Thread(task, "kvbatch-reads-saved");
		flusher.setDaemon(true);
		return flusher;
	});

	ReadsSavedFlusher(ReadsSaved reads) {
		this.reads = reads;
		this.thread.scheduleWithFixedDelay(this::flush, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
	}

	private void flush() {
		try {
			this.reads.flush();
		}
		catch (RuntimeException ex) {
			// Kept in memory for the next try; a read never fails for its count.
			logger.warn("Reads saved not written yet, kept for the next try: " + ex.getMessage());
		}
	}

	@Override
	public void close() throws InterruptedException {
		this.thread.shutdown();
		this.thread.awaitTermination(10, TimeUnit.SECONDS);
		flush();
	}

}
