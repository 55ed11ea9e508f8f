package dev.kvbatch.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * {@code Authorization: Bearer <token>} on every API route: a write token may read and
 * write, a read token may only read ({@code GET} and {@code POST bulk/get}). A missing or
 * unknown token gets Cloudflare's 401 envelope (code 10000); a read token that writes,
 * 403 with the same code. Tokens are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual}, so the time taken says nothing about a token's content
 * or length, and no token is logged or echoed. Thread-safe.
 */
final class BearerTokens extends OncePerRequestFilter {

	private static final String BEARER = "Bearer ";

	private final List<byte[]> writeTokens;

	private final List<byte[]> readTokens;

	private final boolean anonymous;

	private final JsonMapper mapper;

	/**
	 * @param anonymous no token is needed (a loopback server that allows it)
	 */
	BearerTokens(List<String> writeTokens, List<String> readTokens, boolean anonymous, JsonMapper mapper) {
		this.writeTokens = writeTokens.stream().map(BearerTokens::digest).toList();
		this.readTokens = readTokens.stream().map(BearerTokens::digest).toList();
		this.anonymous = anonymous;
		this.mapper = mapper;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (this.anonymous) {
			chain.doFilter(request, response);
			return;
		}
		byte[] presented = presented(request.getHeader("Authorization"));
		boolean writer = presented != null && matches(this.writeTokens, presented);
		boolean reader = presented != null && matches(this.readTokens, presented);
		if (!writer && !reader) {
			refuse(response, HttpServletResponse.SC_UNAUTHORIZED, "Authentication error");
			return;
		}
		if (!writer && !isRead(request)) {
			refuse(response, HttpServletResponse.SC_FORBIDDEN, "Authentication error: this token may only read");
			return;
		}
		chain.doFilter(request, response);
	}

	private static boolean isRead(HttpServletRequest request) {
		String method = request.getMethod();
		return method.equals("GET") || method.equals("HEAD")
				|| (method.equals("POST") && request.getRequestURI().endsWith("/bulk/get"));
	}

	/** Checks every token, so that the time taken does not tell which one matched. */
	private static boolean matches(List<byte[]> tokens, byte[] presented) {
		boolean match = false;
		for (byte[] token : tokens) {
			match |= MessageDigest.isEqual(token, presented);
		}
		return match;
	}

	private static byte @Nullable [] presented(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		return digest(authorization.substring(BEARER.length()).strip());
	}

	private void refuse(HttpServletResponse response, int status, String message) throws IOException {
		response.setStatus(status);
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.getOutputStream()
			.write(this.mapper.writeValueAsBytes(Envelope.error(ApiException.AUTHENTICATION, message)));
	}

	static byte[] digest(String token) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
