package dev.kvbatch.api;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Every refusal in Cloudflare's error envelope; a route the API does not have answers
 * Cloudflare's 404 / 7003.
 */
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@RestControllerAdvice(assignableTypes = { KvRoutes.class, StageRoute.class, ApiErrors.NoRoute.class })
class ApiErrors {

	private static final Logger logger = LoggerFactory.getLogger(ApiErrors.class);

	@ExceptionHandler(ApiException.class)
	ResponseEntity<Map<String, @Nullable Object>> refused(ApiException ex) {
		return ResponseEntity.status(ex.status()).body(Envelope.error(ex.code(), ex.getMessage()));
	}

	@ExceptionHandler(ApiStaging.Backlogged.class)
	ResponseEntity<Map<String, @Nullable Object>> backlogged(ApiStaging.Backlogged ex) {
		return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
			.headers(KvRoutes.retryAfter(ex.retryAfterSeconds))
			.body(Envelope.error(ApiException.RATE_LIMITED, ex.getMessage()));
	}

	@ExceptionHandler({ MaxUploadSizeExceededException.class })
	ResponseEntity<Map<String, @Nullable Object>> tooLarge(Exception ex) {
		return ResponseEntity.status(HttpStatus.PAYLOAD_TOO_LARGE)
			.body(Envelope.error(ApiException.VALIDATION, "the request is larger than kvbatch takes"));
	}

	@ExceptionHandler({ MultipartException.class, HttpMediaTypeException.class })
	ResponseEntity<Map<String, @Nullable Object>> badBody(Exception ex) {
		return ResponseEntity.badRequest().body(Envelope.error(ApiException.VALIDATION, ex.getMessage()));
	}

	@ExceptionHandler({ HttpRequestMethodNotSupportedException.class, NoResourceFoundException.class })
	ResponseEntity<Map<String, @Nullable Object>> noRoute(Exception ex) {
		return NoRoute.answer();
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<Map<String, @Nullable Object>> failed(Exception ex) {
		logger.error("kvbatch could not answer a request: {}", ex.toString());
		return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR)
			.body(Envelope.error(ApiException.VALIDATION, "kvbatch could not answer the request; see its log"));
	}

	/** Whatever no other route takes. */
	@RestController
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	static class NoRoute {

		@RequestMapping("/**")
		ResponseEntity<Map<String, @Nullable Object>> none(HttpServletRequest request) {
			return answer();
		}

		static ResponseEntity<Map<String, @Nullable Object>> answer() {
			return ResponseEntity.status(HttpStatus.NOT_FOUND)
				.body(Envelope.error(ApiException.NO_ROUTE, "No route for the URI"));
		}

	}

}
