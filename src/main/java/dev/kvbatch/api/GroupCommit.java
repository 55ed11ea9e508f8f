package dev.kvbatch.api;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.kvbatch.stage.Rejection;
import dev.kvbatch.stage.StageSummary;
import dev.kvbatch.stage.Stager;
import dev.kvbatch.stage.Staging;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stages what concurrent requests submit through one {@link Staging} call at a time (on
 * PostgreSQL one transaction, no spool file, see {@code stage.OutboxStager}): each call
 * writes one spool file and makes it durable once (its {@code fsync} and rename), however
 * many requests it carries. A request's future completes only after that, and after the
 * file is in the {@link PendingSpool}, so an answered write survives a {@code kill -9}
 * and the next read sees it. While one call syncs, new requests queue and go together
 * into the next: the busier the API, the more requests share a sync.
 * <p>
 * Each request is one source of the call, so a rejection names its request; staging
 * follows {@code kvbatch stage} exactly (validation against the packing rules,
 * {@code {seq}}, the idempotency index, dead letters). Thread-safe; one writer thread.
 */
final class GroupCommit implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(GroupCommit.class);

	private static final String ALREADY_STAGED = " (already staged)";

	private final Staging stager;

	private final PendingSpool pending;

	private final int maxBatchRecords;

	private final LinkedBlockingQueue<Submission> queue = new LinkedBlockingQueue<>();

	private final AtomicLong queued = new AtomicLong();

	private final AtomicLong requests = new AtomicLong();

	private final Thread writer;

	private volatile boolean open = true;

	GroupCommit(Staging stager, PendingSpool pending, int maxBatchRecords) {
		this.stager = stager;
		this.pending = pending;
		this.maxBatchRecords = maxBatchRecords;
		this.writer = new Thread(this::run, "kvbatch-api-stage");
		this.writer.setDaemon(true);
		this.writer.start();
	}

	/**
	 * Stage these lines as one request; the future completes once they are durable (or
	 * refused), with one outcome per line.
	 * @param what names the request in rejections and dead letters, e.g.
	 * {@code PUT values/a15}
	 */
	CompletableFuture<List<Outcome>> submit(String what, List<Line> lines) {
		Submission submission = new Submission("api " + this.requests.incrementAndGet() + " " + what,
				List.copyOf(lines), new CompletableFuture<>());
		if (!this.open) {
			submission.done.completeExceptionally(new IllegalStateException("kvbatch is stopping"));
			return submission.done;
		}
		this.queued.addAndGet(lines.size());
		this.queue.add(submission);
		return submission.done;
	}

	/** Records submitted and not yet staged. */
	long queued() {
		return this.queued.get();
	}

	private void run() {
		while (this.open || !this.queue.isEmpty()) {
			Submission first;
			try {
				first = this.queue.poll(100, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			if (first == null) {
				continue;
			}
			List<Submission> batch = new ArrayList<>();
			batch.add(first);
			long records = first.lines.size();
			Submission next;
			while ((next = this.queue.peek()) != null && records + next.lines.size() <= this.maxBatchRecords) {
				batch.add(this.queue.poll());
				records += next.lines.size();
			}
			try {
				commit(batch);
			}
			catch (Exception | Error ex) {
				logger.error("kvbatch could not stage {} request(s): {}", batch.size(), ex.toString());
				for (Submission submission : batch) {
					submission.done.completeExceptionally(ex);
				}
			}
			finally {
				this.queued.addAndGet(-records);
			}
		}
	}

	private void commit(List<Submission> batch) throws Exception {
		List<Stager.Source> sources = new ArrayList<>();
		for (Submission submission : batch) {
			StringBuilder text = new StringBuilder();
			for (Line line : submission.lines) {
				text.append(line.json).append('\n');
			}
			sources.add(new Stager.Source(submission.name,
					new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.UTF_8))));
		}
		List<String> keys = new ArrayList<>();
		Map<String, Map<Long, Rejection>> rejections = new HashMap<>();
		StageSummary summary = this.stager.stage(sources, keys::add,
				(rejection) -> rejections.computeIfAbsent(rejection.source(), (name) -> new HashMap<>())
					.put(rejection.line(), rejection));
		Path file = summary.spoolFile();
		if (file != null) {
			this.pending.index(file);
		}
		int printed = 0;
		for (Submission submission : batch) {
			Map<Long, Rejection> refused = rejections.getOrDefault(submission.name, Map.of());
			List<Outcome> outcomes = new ArrayList<>();
			long number = 0;
			for (Line line : submission.lines) {
				number++;
				Rejection rejection = refused.get(number);
				if (line.blank()) {
					outcomes.add(new Outcome(null, false, null, null));
				}
				else if (rejection != null) {
					outcomes.add(new Outcome(null, false, rejection.field(), rejection.reason()));
				}
				else if (line.seq || (line.id && printed < keys.size() && isRetryOf(keys.get(printed), line))) {
					String message = keys.get(printed++);
					boolean duplicate = message.endsWith(ALREADY_STAGED);
					String body = duplicate ? message.substring(0, message.length() - ALREADY_STAGED.length())
							: message;
					outcomes.add(new Outcome(body.substring(body.lastIndexOf(" -> ") + 4), duplicate, null, null));
				}
				else {
					outcomes.add(new Outcome(line.key, false, null, null));
				}
			}
			submission.done.complete(outcomes);
		}
	}

	private static boolean isRetryOf(String message, Line line) {
		return message.endsWith(ALREADY_STAGED) && message.startsWith(line.key + " -> ");
	}

	/** Stop taking requests, stage those already queued, and end the writer thread. */
	@Override
	public void close() throws InterruptedException {
		this.open = false;
		this.writer.join(TimeUnit.MINUTES.toMillis(1));
	}

	/**
	 * One staging line of a request.
	 *
	 * @param json the line, as {@code kvbatch stage} reads it
	 * @param key the key as written, {@code null} if the line has none
	 * @param seq whether the key holds {@code {seq}}
	 * @param id whether the line has an idempotency id
	 */
	record Line(String json, @Nullable String key, boolean seq, boolean id) {

		boolean blank() {
			return this.json.isBlank();
		}

	}

	/**
	 * What became of one line.
	 *
	 * @param key the key it was staged under ({@code {seq}} resolved), {@code null} if
	 * rejected or blank
	 * @param duplicate a retry of a record already staged: nothing new was staged
	 * @param field the field a rejection names
	 * @param reason why the line was rejected, {@code null} if it was not
	 */
	record Outcome(@Nullable String key, boolean duplicate, @Nullable String field, @Nullable String reason) {

		boolean rejected() {
			return this.reason != null;
		}

	}

	private record Submission(String name, List<Line> lines, CompletableFuture<List<Outcome>> done) {
	}

}
