package dev.kvbatch.api;

import org.springframework.http.HttpStatus;

/**
 * A request the API refuses, answered with Cloudflare's error envelope: the HTTP status,
 * Cloudflare's error code and a message that says what to change.
 */
final class ApiException extends RuntimeException {

	/** Cloudflare's "Authentication error". */
	static final int AUTHENTICATION = 10000;

	/**
	 * A request that breaks a KV rule (Miniflare's Local Explorer uses it for all of
	 * them).
	 */
	static final int VALIDATION = 10001;

	/** Cloudflare's "key not found". */
	static final int KEY_NOT_FOUND = 10009;

	/** Cloudflare's "namespace not found". */
	static final int NAMESPACE_NOT_FOUND = 10013;

	/** Cloudflare's "No route for the URI". */
	static final int NO_ROUTE = 7003;

	/** Too many requests: kvbatch's backlog is full. */
	static final int RATE_LIMITED = 10429;

	private final HttpStatus status;

	private final int code;

	ApiException(HttpStatus status, int code, String message) {
		super(message, null, false, false);
		this.status = status;
		this.code = code;
	}

	static ApiException invalid(String message) {
		return new ApiException(HttpStatus.BAD_REQUEST, VALIDATION, message);
	}

	static ApiException notFound() {
		return new ApiException(HttpStatus.NOT_FOUND, KEY_NOT_FOUND, "get: 'key not found'");
	}

	HttpStatus status() {
		return this.status;
	}

	int code() {
		return this.code;
	}

}
