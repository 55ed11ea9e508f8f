package dev.kvbatch.stage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FileIdempotencyIndexTests {

	private static final Instant START = Instant.parse("2026-11-23T00:00:00Z");

	@TempDir
	Path dir;

	private final StepClock clock = new StepClock(START);

	private Path spool;

	private FileIdempotencyIndex index;

	@BeforeEach
	void setUp() throws IOException {
		this.spool = Files.createDirectories(this.dir.resolve("spool"));
		this.index = new FileIdempotencyIndex(this.dir.resolve("ids"), this.spool, this.clock);
	}

	@Test
	void committedRunsIdsAreStagedWithTheirSeqAndAnotherRecordConflicts() throws IOException {
		try (IdempotencyIndex.Session session = this.index.open(run(11))) {
			assertThat(session.find(IdKey.of("u1"), 5, 0)).isEqualTo(new IdempotencyIndex.Lookup.Fresh(null));
			session.record(IdKey.of("u1"), 5, 0, 7L);
			session.record(IdKey.of("u2"), 6, 0, null);
			assertThat(session.find(IdKey.of("u1"), 5, 0)).as("a repeat within the run")
				.isEqualTo(new IdempotencyIndex.Lookup.Staged(7L));
			session.prepareCommit();
			session.committed();
		}
		FileIdempotencyIndex other = new FileIdempotencyIndex(this.dir.resolve("ids"), this.spool, this.clock);
		try (IdempotencyIndex.Session session = other.open(run(12))) {
			assertThat(session.find(IdKey.of("u1"), 5, 0)).isEqualTo(new IdempotencyIndex.Lookup.Staged(7L));
			assertThat(session.find(IdKey.of("u2"), 6, 0)).isEqualTo(new IdempotencyIndex.Lookup.Staged(null));
			assertThat(session.find(IdKey.of("u1"), 9, 0)).isEqualTo(new IdempotencyIndex.Lookup.Conflict());
			assertThat(session.find(IdKey.of("u1"), LineResult.ANY_RECORD, 0))
				.isEqualTo(new IdempotencyIndex.Lookup.Staged(7L));
			assertThat(session.find(IdKey.of("u3"), 5, 0)).isEqualTo(new IdempotencyIndex.Lookup.Fresh(null));
		}
	}

	@Test
	void runThatClosesWithoutCommittingLeavesItsIdsToARetryWithTheirSeq() throws IOException {
		try (IdempotencyIndex.Session session = this.index.open(run(11))) {
			session.record(IdKey.of("u1"), 5, 0, 7L);
		}
		try (IdempotencyIndex.Session session = this.index.open(run(12))) {
			assertThat(session.find(IdKey.of("u1"), 8, 0)).isEqualTo(new IdempotencyIndex.Lookup.Fresh(7L));
			session.record(IdKey.of("u1"), 8, 0, 7L);
			session.committed();
		}
		try (IdempotencyIndex.Session session = this.index.open(run(13))) {
			assertThat(session.find(IdKey.of("u1"), 8, 0)).isEqualTo(new IdempotencyIndex.Lookup.Staged(7L));
		}
	}

	@Test
	void deadRunsIdsStandIfAndOnlyIfItsSpoolFileIsInPlace() throws IOException {
		dieDuringSession(21, "stage-1-aaaaaaaa.jsonl", "u1");
		Files.writeString(this.spool.resolve("stage-1-aaaaaaaa.jsonl"), SpoolFormat.header(21) + "\n");
		dieDuringSession(22, "stage-2-bbbbbbbb.jsonl", "u2");
		Files.writeString(this.spool.resolve("stage-2-bbbbbbbb.jsonl"), SpoolFormat.header(99) + "\n");

		try (IdempotencyIndex.Session session = this.index.open(run(30))) {
			assertThat(session.find(IdKey.of("u1"), 5, 0)).as("its file was committed")
				.isEqualTo(new IdempotencyIndex.Lookup.Staged(3L));
			assertThat(session.find(IdKey.of("u2"), 5, 0)).as("the file of that name is another run's")
				.isEqualTo(new IdempotencyIndex.Lookup.Fresh(3L));
		}
	}

	@Test
	void settleBeforeIngestMovesTheFileKeepsADeadRunsCommittedIds() throws IOException {
		dieDuringSession(21, "stage-1-aaaaaaaa.jsonl", "u1");
		Path file = Files.writeString(this.spool.resolve("stage-1-aaaaaaaa.jsonl"), SpoolFormat.header(21) + "\n");

		this.index.settle(file.getFileName().toString(), 21);
		Files.move(file, Files.createDirectories(this.spool.resolve("done")).resolve(file.getFileName()));

		try (IdempotencyIndex.Session session = this.index.open(run(30))) {
			assertThat(session.find(IdKey.of("u1"), 5, 0)).isEqualTo(new IdempotencyIndex.Lookup.Staged(3L));
		}
	}

	@Test
	void droppedFileFindsItsOwnLineAgainAndOtherLinesAsRetries() throws IOException {
		IdempotencyIndex.Owner file = new IdempotencyIndex.Owner.DroppedFile(77);
		try (IdempotencyIndex.Session session = this.index.open(file)) {
			session.record(IdKey.of("evt-1"), 5, 3, 4L);
		}
		try (IdempotencyIndex.Session session = this.index.open(file)) {
			assertThat(session.find(IdKey.of("evt-1"), 5, 3)).as("line 3 read again after a rollback")
				.isEqualTo(new IdempotencyIndex.Lookup.Fresh(4L));
			assertThat(session.find(IdKey.of("evt-1"), 5, 9)).isEqualTo(new IdempotencyIndex.Lookup.Staged(4L));
		}
		try (IdempotencyIndex.Session session = this.index.open(run(1))) {
			assertThat(session.find(IdKey.of("evt-1"), 5, 3)).isEqualTo(new IdempotencyIndex.Lookup.Staged(4L));
		}
	}

	@Test
	void tableGrowsIntoNewGenerationsAndKeepsEveryId() throws IOException {
		int ids = 20_000;
		try (IdempotencyIndex.Session session = this.index.open(run(5))) {
			for (int i = 0; i < ids; i++) {
				session.record(IdKey.of("id-" + i), i + 1, 0, (long) i + 1);
			}
			session.committed();
		}
		assertThat(IdTable.files(this.dir.resolve("ids"))).singleElement()
			.satisfies((file) -> assertThat(file.getFileName().toString()).isNotEqualTo("table-1"));
		try (IdempotencyIndex.Session session = this.index.open(run(6))) {
			for (int i = 0; i < ids; i++) {
				assertThat(session.find(IdKey.of("id-" + i), i + 1, 0))
					.isEqualTo(new IdempotencyIndex.Lookup.Staged((long) i + 1));
			}
		}
	}

	@Test
	void trimRemovesIdsOlderThanTheCutoffInBoundedBatchesAndKeepsTheRest() throws IOException {
		record(run(1), "old-", 100);
		this.clock.advance(Duration.ofDays(31));
		record(run(2), "new-", 100);
		Instant cutoff = START.plus(Duration.ofDays(30));
		assertThat(this.index.countBefore(cutoff)).isEqualTo(100);

		List<Long> batches = new ArrayList<>();
		for (long removed = this.index.trim(cutoff, 30); removed > 0; removed = this.index.trim(cutoff, 30)) {
			batches.add(removed);
		}

		assertThat(batches).allMatch((removed) -> removed <= 30 + 0L).hasSizeGreaterThanOrEqualTo(3);
		assertThat(batches.stream().mapToLong(Long::longValue).sum()).isEqualTo(100);
		assertThat(this.index.countBefore(cutoff)).isZero();
		try (IdempotencyIndex.Session session = this.index.open(run(3))) {
			assertThat(session.find(IdKey.of("old-1"), 1, 0)).isEqualTo(new IdempotencyIndex.Lookup.Fresh(null));
			assertThat(session.find(IdKey.of("new-1"), 1, 0)).isEqualTo(new IdempotencyIndex.Lookup.Staged(null));
		}
	}

	@Test
	void sessionsOfTwoThreadsTakeTurns() throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(2);
		try {
			List<Future<?>> done = new ArrayList<>();
			for (int t = 0; t < 2; t++) {
				int thread = t;
				FileIdempotencyIndex own = new FileIdempotencyIndex(this.dir.resolve("ids"), this.spool, this.clock);
				done.add(threads.submit(() -> {
					for (int i = 0; i < 200; i++) {
						try (IdempotencyIndex.Session session = own.open(run(thread * 1000 + i + 1))) {
							// Both threads stage the same ids: each is recorded once.
							if (session.find(IdKey.of("id-" + i), 1, 0) instanceof IdempotencyIndex.Lookup.Fresh) {
								session.record(IdKey.of("id-" + i), 1, 0, (long) thread);
							}
							session.committed();
						}
					}
					return null;
				}));
			}
			for (Future<?> future : done) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			threads.shutdownNow();
		}
		try (IdTable table = IdTable.openCurrent(this.dir.resolve("ids"))) {
			assertThat(table.live()).isEqualTo(200);
		}
	}

	private void record(IdempotencyIndex.Owner owner, String prefix, int count) throws IOException {
		try (IdempotencyIndex.Session session = this.index.open(owner)) {
			for (int i = 0; i < count; i++) {
				session.record(IdKey.of(prefix + i), 1, 0, null);
			}
			session.committed();
		}
	}

	/** What a run that was killed inside its session leaves in the table. */
	private void dieDuringSession(long owner, String spoolFile, String id) throws IOException {
		try (IdempotencyIndex.Session session = this.index.open(run(1))) {
			session.committed();
		}
		try (IdTable table = IdTable.openCurrent(this.dir.resolve("ids"))) {
			table.setInProgress(owner, spoolFile);
			table.write(-1 - table.find(IdKey.of(id)),
					new IdTable.Slot(IdKey.of(id), START.getEpochSecond(), 5, 3, owner, 0, IdTable.OCCUPIED));
			table.force();
		}
	}

	private static IdempotencyIndex.Owner run(long token) {
		return new IdempotencyIndex.Owner.Run(token, "stage-" + token + "-00000000.jsonl");
	}

	/** A clock moved by the test. */
	private static final class StepClock extends Clock {

		private volatile Instant now;

		StepClock(Instant start) {
			this.now = start;
		}

		void advance(Duration duration) {
			this.now = this.now.plus(duration);
		}

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return this.now;
		}

	}

}
