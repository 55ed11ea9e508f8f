package dev.kvbatch.api;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.http.HttpStatus;

/**
 * Admits a request's staging lines (or refuses them with 429 while the backlog is full)
 * and waits until they are durable. Thread-safe.
 */
final class ApiStaging {

	/** How long a write waits for its sync before answering 503. */
	private static final long COMMIT_WAIT_SECONDS = 120;

	private final GroupCommit commits;

	private final LocalState state;

	private final ApiProperties properties;

	ApiStaging(GroupCommit commits, LocalState state, ApiProperties properties) {
		this.commits = commits;
		this.state = state;
		this.properties = properties;
	}

	/**
	 * Stage the lines of one request; returns once they are durable, with one outcome per
	 * line.
	 * @throws Backlogged if the backlog has no room for them
	 * @throws ApiException (503) if they could not be made durable: nothing is
	 * acknowledged
	 */
	List<GroupCommit.Outcome> stage(String what, List<GroupCommit.Line> lines) {
		long backlog = this.state.backlog() + this.commits.queued();
		if (backlog + lines.size() > this.properties.maxBacklog()) {
			throw new Backlogged(backlog, this.properties.maxBacklog(), this.properties.retryAfterSeconds());
		}
		try {
			return this.commits.submit(what, lines).get(COMMIT_WAIT_SECONDS, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw unavailable();
		}
		catch (ExecutionException | TimeoutException ex) {
			throw unavailable();
		}
	}

	private static ApiException unavailable() {
		return new ApiException(HttpStatus.SERVICE_UNAVAILABLE, ApiException.VALIDATION,
				"kvbatch could not make the write durable; nothing was acknowledged, retry it");
	}

	/** Writes refused while the backlog is full. */
	static final class Backlogged extends RuntimeException {

		final long retryAfterSeconds;

		Backlogged(long backlog, long max, long retryAfterSeconds) {
			super("kvbatch holds " + backlog + " staged operations that compress has not applied "
					+ "(kvbatch.api.max-backlog=" + max + "); retry later", null, false, false);
			this.retryAfterSeconds = retryAfterSeconds;
		}

	}

}
