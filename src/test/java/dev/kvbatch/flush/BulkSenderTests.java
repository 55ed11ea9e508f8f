package dev.kvbatch.flush;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.IntStream;

import dev.kvbatch.kv.KvItemsRefusedException;
import dev.kvbatch.kv.KvRejectedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Isolating what KV refuses, against a stand-in for a bulk call that refuses, as KV does,
 * any request holding an invalid key as a whole.
 */
class BulkSenderTests {

	private final List<List<String>> requests = new ArrayList<>();

	private final List<String> stored = new ArrayList<>();

	@Test
	void findsTheKeysOfARequestRefusedAsAWholeAndSendsTheRest() {
		List<String> keys = keys(16);

		BulkSender.Sent sent = BulkSender.send(keys, Function.identity(), refusing(Set.of("k05", "k12")), () -> 1000);

		assertThat(sent.refused()).containsOnlyKeys("k05", "k12")
			.allSatisfy((key, reason) -> assertThat(reason).isEqualTo("invalid key " + key));
		assertThat(sent.notStored()).isEmpty();
		assertThat(sent.deferred()).isEmpty();
		assertThat(this.stored).containsExactlyInAnyOrderElementsOf(
				keys.stream().filter((key) -> !key.equals("k05") && !key.equals("k12")).toList());
		// 16, then halves of 8 (both refused), 4, 2 and 1 on each side.
		assertThat(this.requests).hasSize(1 + 2 + 4 + 4 + 4);
	}

	@Test
	void keysARefusalNamesAreRefusedWithoutSendingAnythingAgain() {
		Function<List<String>, List<String>> call = (batch) -> {
			this.requests.add(batch);
			batch.stream().filter((key) -> !key.equals("k02")).forEach(this.stored::add);
			throw new KvItemsRefusedException(
					List.of(new KvItemsRefusedException.Refusal(List.of("k02"), "HTTP 413: too large", false)),
					List.of());
		};

		BulkSender.Sent sent = BulkSender.send(keys(4), Function.identity(), call, () -> 1000);

		assertThat(sent.refused()).containsExactly(java.util.Map.entry("k02", "HTTP 413: too large"));
		assertThat(this.requests).hasSize(1);
		assertThat(this.stored).containsExactly("k00", "k01", "k03");
	}

	@Test
	void keysNotStoredStayTheCallersToRetry() {
		Function<List<String>, List<String>> call = (batch) -> {
			this.requests.add(batch);
			return List.of("k01");
		};

		BulkSender.Sent sent = BulkSender.send(keys(3), Function.identity(), call, () -> 1000);

		assertThat(sent.notStored()).containsExactly("k01");
		assertThat(sent.refused()).isEmpty();
	}

	@Test
	void resendsWaitForTheBudgetAndDeferWhatItCannotAfford() {
		AtomicLong budget = new AtomicLong(4);
		Function<List<String>, List<String>> refusing = refusing(Set.of("k00"));
		Function<List<String>, List<String>> call = (batch) -> {
			budget.addAndGet(-batch.size());
			return refusing.apply(batch);
		};

		BulkSender.Sent sent = BulkSender.send(keys(8), Function.identity(), call, () -> Math.max(0, budget.get()));

		// 8 sent (refused), then the budget was spent: nothing more is sent today.
		assertThat(this.requests).hasSize(1);
		assertThat(sent.deferred()).hasSize(8);
		assertThat(sent.refused()).isEmpty();
	}

	@Test
	void keysTheTargetsOwnCheckRefusesAreRefusedEvenIfAllAre() {
		Function<List<String>, List<String>> call = (batch) -> {
			this.requests.add(batch);
			throw new KvItemsRefusedException(batch.stream()
				.map((key) -> new KvItemsRefusedException.Refusal(List.of(key), "key is too long", true))
				.toList(), List.of());
		};

		BulkSender.Sent sent = BulkSender.send(keys(3), Function.identity(), call, () -> 1000);

		assertThat(sent.refused()).containsOnlyKeys("k00", "k01", "k02");
	}

	@Test
	void whenKvRefusesEveryKeyAloneAlikeTheFaultIsTheRequestsAndNothingIsRefused() {
		Function<List<String>, List<String>> call = (batch) -> {
			this.requests.add(batch);
			throw new KvItemsRefusedException(List.of(new KvItemsRefusedException.Refusal(batch,
					"Cloudflare KV refused the write: HTTP 400, code 10001: bad request", false)), List.of());
		};

		assertThatExceptionOfType(KvRejectedException.class)
			.isThrownBy(() -> BulkSender.send(keys(4), Function.identity(), call, () -> 1000))
			.isNotInstanceOf(KvItemsRefusedException.class)
			.withMessage("KV refused each of the 4 keys of a bulk call alone, all with the same answer, which points"
					+ " at the request rather than the keys; none was set aside: Cloudflare KV refused the write:"
					+ " HTTP 400, code 10001: bad request");
	}

	/** Refuses a request holding any of the keys as a whole; stores the others. */
	private Function<List<String>, List<String>> refusing(Set<String> invalid) {
		return (batch) -> {
			this.requests.add(List.copyOf(batch));
			if (batch.stream().anyMatch(invalid::contains)) {
				String reason = (batch.size() == 1) ? "invalid key " + batch.get(0) : "a request with an invalid key";
				throw new KvItemsRefusedException(List.of(new KvItemsRefusedException.Refusal(batch, reason, false)),
						List.of());
			}
			this.stored.addAll(batch);
			return List.of();
		};
	}

	private static List<String> keys(int n) {
		return IntStream.range(0, n).mapToObj((i) -> "k%02d".formatted(i)).toList();
	}

}
