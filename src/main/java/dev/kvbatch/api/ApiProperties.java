package dev.kvbatch.api;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The HTTP API of {@code kvbatch serve}.
 *
 * @param writeTokens bearer tokens that may read and write
 * ({@code KVBATCH_API_WRITE_TOKENS}, comma-separated); never logged nor echoed
 * @param readTokens bearer tokens that may only read ({@code KVBATCH_API_READ_TOKENS})
 * @param allowAnonymousLoopback serve without any token, only when {@code server.address}
 * is a loopback address
 * @param maxBacklog staged operations not yet applied by compress beyond which writes are
 * refused with 429 and {@code Retry-After}, so that a stalled compress cannot fill the
 * disk
 * @param retryAfterSeconds the {@code Retry-After} of such a refusal
 * @param accountId the account id clients put in the path; the Cloudflare account by
 * default, else {@code kvbatch}
 * @param namespaceId the namespace id clients put in the path; the Cloudflare namespace
 * by default, else {@code kvbatch}
 * @param maxBatchRecords the most records one group commit (one spool file, one sync)
 * takes
 * @param token the bearer token {@code kvbatch stage --url} sends
 * ({@code KVBATCH_API_TOKEN}); never logged nor printed
 * @param readThrough a read of a key kvbatch has never seen asks KV (one metered read,
 * within the day's read budget) and answers what KV holds, without storing it; off, such
 * a key is a 404
 */
@ConfigurationProperties("kvbatch.api")
public record ApiProperties(@DefaultValue List<String> writeTokens, @DefaultValue List<String> readTokens,
		@DefaultValue("false") boolean allowAnonymousLoopback, @DefaultValue("1000000") long maxBacklog,
		@DefaultValue("60") long retryAfterSeconds, @Nullable String accountId, @Nullable String namespaceId,
		@DefaultValue("20000") int maxBatchRecords, @Nullable String token,
		@DefaultValue("false") boolean readThrough) {

	/**
	 * What account and namespace fall back to when neither kvbatch.api nor
	 * kvbatch.cloudflare names them.
	 */
	static final String DEFAULT_ID = "kvbatch";

}
