package dev.kvbatch.stage;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SeqAllocatorTests {

	@TempDir
	Path dir;

	@Test
	void startsAtOneAndKeepsTheHighWaterMarkInTheFile() throws IOException {
		Path file = this.dir.resolve("data/seq");
		SeqAllocator seq = new SeqAllocator(file);
		assertThat(seq.current()).isZero();
		assertThat(file).doesNotExist();
		assertThat(List.of(seq.next(), seq.next(), seq.next())).containsExactly(1L, 2L, 3L);
		assertThat(seq.current()).isEqualTo(3);
		assertThat(Files.readString(file)).isEqualTo("3\n");
	}

	@Test
	void neverHandsOutValuesAnAppAlreadyUsed() {
		Path file = this.dir.resolve("seq");
		SeqAllocator fresh = new SeqAllocator(file, 20);
		assertThat(fresh.current()).isEqualTo(20);
		assertThat(List.of(fresh.next(), fresh.next())).containsExactly(21L, 22L);

		SeqAllocator raisedLater = new SeqAllocator(file, 100);
		SeqAllocator below = new SeqAllocator(file, 5);

		assertThat(raisedLater.next()).isEqualTo(101);
		assertThat(below.next()).as("a lower floor never moves the sequence back").isEqualTo(102);
	}

	@Test
	void newInstanceContinuesFromTheHighWaterMark() {
		Path file = this.dir.resolve("seq");
		SeqAllocator first = new SeqAllocator(file);
		for (int i = 0; i < 9; i++) {
			first.next();
		}
		SeqAllocator second = new SeqAllocator(file);
		assertThat(second.current()).isEqualTo(9);
		assertThat(second.next()).isEqualTo(10);
		assertThat(first.next()).isEqualTo(11);
	}

	@Test
	void threadsWithSeparateInstancesNeverGetTheSameValue() throws Exception {
		Path file = this.dir.resolve("seq");
		int threads = 4;
		int perThread = 250;
		List<Long> all = allocateConcurrently(threads, perThread, () -> new SeqAllocator(file));
		assertThat(all).hasSize(threads * perThread).doesNotHaveDuplicates();
		assertThat(new HashSet<>(all)).isEqualTo(range(threads * perThread));
		assertThat(new SeqAllocator(file).current()).isEqualTo(threads * perThread);
	}

	@Test
	void threadsSharingOneInstanceNeverGetTheSameValue() throws Exception {
		SeqAllocator seq = new SeqAllocator(this.dir.resolve("seq"));
		List<Long> all = allocateConcurrently(2, 300, () -> seq);
		assertThat(new HashSet<>(all)).isEqualTo(range(600));
	}

	@Test
	void processesAllocatingAtOnceNeverGetTheSameValue() throws Exception {
		Path file = this.dir.resolve("seq");
		String classPath = location(SeqAllocator.class) + File.pathSeparator + location(SeqAllocatorChild.class);
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		List<Process> children = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			children.add(new ProcessBuilder(java, "-cp", classPath, SeqAllocatorChild.class.getName(), file.toString(),
					"150")
				.redirectErrorStream(true)
				.start());
		}
		List<Long> all = new ArrayList<>(allocateConcurrently(1, 150, () -> new SeqAllocator(file)));
		for (Process child : children) {
			String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(child.exitValue()).as(out).isZero();
			out.lines().map(Long::parseLong).forEach(all::add);
		}
		assertThat(all).hasSize(450).doesNotHaveDuplicates();
		assertThat(new HashSet<>(all)).isEqualTo(range(450));
	}

	@Test
	void damagedFileFailsInsteadOfStartingAgain() throws IOException {
		Path file = this.dir.resolve("seq");
		Files.writeString(file, "12x\n");
		SeqAllocator seq = new SeqAllocator(file);
		assertThatIllegalStateException().isThrownBy(seq::next).withMessageContaining("holds \"12x\"");
		assertThatIllegalStateException().isThrownBy(seq::current);
		assertThat(Files.readString(file)).isEqualTo("12x\n");
	}

	@Test
	void emptyFileStartsAtOne() throws IOException {
		Path file = this.dir.resolve("seq");
		Files.createFile(file);
		assertThat(new SeqAllocator(file).next()).isEqualTo(1);
	}

	private static List<Long> allocateConcurrently(int threads, int perThread,
			java.util.function.Supplier<SeqAllocator> allocators) throws Exception {
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<List<Long>>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				SeqAllocator seq = allocators.get();
				futures.add(executor.submit(() -> {
					start.await();
					List<Long> values = new ArrayList<>();
					for (int i = 0; i < perThread; i++) {
						values.add(seq.next());
					}
					return values;
				}));
			}
			start.countDown();
			List<Long> all = Collections.synchronizedList(new ArrayList<>());
			for (Future<List<Long>> future : futures) {
				all.addAll(future.get(60, TimeUnit.SECONDS));
			}
			return all;
		}
		finally {
			executor.shutdownNow();
		}
	}

	private static Set<Long> range(int n) {
		return LongStream.rangeClosed(1, n).boxed().collect(Collectors.toSet());
	}

	private static String location(Class<?> type) throws Exception {
		return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
	}

}
