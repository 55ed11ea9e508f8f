package dev.kvbatch.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kvbatch.kv.KvAuthException;
import dev.kvbatch.kv.KvQuotaExceededException;
import dev.kvbatch.kv.KvReads;
import dev.kvbatch.kv.KvTarget;
import dev.kvbatch.kv.KvTargetException;
import dev.kvbatch.metering.DailyBudget;
import dev.kvbatch.metering.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;

/**
 * Reads of keys kvbatch has never seen, from KV, when
 * {@code kvbatch.api.read-through=true}: through the metered target, so each key is a KV
 * read in the ledger and counts against the day's read budget like every other read;
 * answered, never stored (the next read of the key asks KV again). Without the setting
 * such a key is Cloudflare's 404. Values only: KV metadata does not come through, so a
 * metadata read of such a key is refused, not answered as "none". Thread-safe.
 */
final class ReadThrough {

	/**
	 * Cloudflare's "your account has reached the free usage limit for this operation".
	 */
	static final int FREE_USAGE_LIMIT = 10048;

	private static final Logger logger = LoggerFactory.getLogger(ReadThrough.class);

	private final boolean enabled;

	private final KvTarget target;

	private final DailyBudget budget;

	/** Reads of calls under way, held against the budget. */
	private long reserved;

	ReadThrough(boolean enabled, KvTarget target, DailyBudget budget) {
		this.enabled = enabled;
		this.target = target;
		this.budget = budget;
	}

	boolean enabled() {
		return this.enabled;
	}

	/** KV's live value of a key kvbatch has never seen; one billed read. */
	Optional<KvTarget.StoredValue> get(String key) {
		reserve(1);
		try {
			return this.target.get(key);
		}
		catch (KvTargetException ex) {
			throw refusal(ex);
		}
		finally {
			release(1);
		}
	}

	/**
	 * KV's live values of keys kvbatch has never seen, by key (absent: KV has none); one
	 * billed read per key, in bulk requests.
	 */
	Map<String, KvTarget.StoredValue> bulkGet(List<String> keys) {
		reserve(keys.size());
		Map<String, KvTarget.StoredValue> found = new LinkedHashMap<>();
		try {
			KvReads.bulkGet(this.target, keys).forEach((value) -> found.put(value.key(), value));
		}
		catch (KvTargetException ex) {
			throw refusal(ex);
		}
		finally {
			release(keys.size());
		}
		return found;
	}

	/**
	 * A metadata read of a key kvbatch does not hold, which read-through cannot answer.
	 */
	ApiException noMetadata(String key) {
		return ApiException.invalid("key \"" + key + "\" is not in kvbatch, and kvbatch.api.read-through reads values "
				+ "from KV, not KV metadata; run kvbatch run migrate to bring the namespace's keys into kvbatch");
	}

	/**
	 * Holds room in the day's budget for reads about to be sent, or refuses them before
	 * anything is sent. Reads of concurrent requests are held until their calls end (by
	 * then the ledger has them), so two requests cannot both take the last room.
	 */
	private synchronized void reserve(long reads) {
		if (this.budget.remaining(Operation.READ) - this.reserved < reads) {
			throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, FREE_USAGE_LIMIT,
					"kvbatch's read budget for today (UTC) has no room for " + reads
							+ " more read-through KV read(s) (kvbatch.budget.headroom); it starts again at 00:00 UTC");
		}
		this.reserved += reads;
	}

	private synchronized void release(long reads) {
		this.reserved -= reads;
	}

	private ApiException refusal(KvTargetException ex) {
		if (ex instanceof KvQuotaExceededException) {
			this.budget.exhaust(Operation.READ);
			return new ApiException(HttpStatus.TOO_MANY_REQUESTS, FREE_USAGE_LIMIT,
					"KV refused reads for the rest of today (UTC): " + ex.getMessage());
		}
		if (ex instanceof KvAuthException) {
			logger.error("A read-through was refused by KV: {}", ex.getMessage());
		}
		else {
			logger.warn("A read-through got no answer from KV: {}", ex.getMessage());
		}
		return new ApiException(HttpStatus.BAD_GATEWAY, ApiException.VALIDATION,
				"kvbatch could not read the key from KV: " + ex.getMessage());
	}

}
