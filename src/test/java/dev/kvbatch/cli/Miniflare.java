package dev.kvbatch.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Miniflare with one KV namespace and its Local Explorer, on loopback: Cloudflare's own
 * implementation of the KV REST API ({@code src/test/miniflare/server.mjs}, the version
 * pinned in that folder's {@code package.json} and lock file). Installs it with
 * {@code npm ci} when {@code node_modules} is missing, so a fresh clone with Node and npm
 * needs nothing else. Stopped with {@link #close()}; it also stops when this JVM ends, as
 * its standard input closes.
 */
final class Miniflare implements AutoCloseable {

	static final Path DIR = Path.of("src/test/miniflare");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Process process;

	private final String namespaceUrl;

	private final Path log;

	private Miniflare(Process process, String namespaceUrl, Path log) {
		this.process = process;
		this.namespaceUrl = namespaceUrl;
		this.log = log;
	}

	/**
	 * Starts Miniflare on a free port.
	 * @param log where its standard error goes
	 * @throws IllegalStateException if Node or npm is missing, or Miniflare does not
	 * start within two minutes; never a skip: the suite must run where it is asked to
	 */
	static Miniflare start(Path log) throws IOException, InterruptedException {
		if (!Files.isDirectory(DIR.resolve("node_modules/miniflare"))) {
			install(log);
		}
		Process process = new ProcessBuilder("node", "server.mjs", "--port", "0", "--exit-with-stdin")
			.directory(DIR.toFile())
			.redirectError(log.toFile())
			.start();
		CompletableFuture<String> ready = CompletableFuture.supplyAsync(() -> {
			try {
				return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
					.readLine();
			}
			catch (IOException ex) {
				return null;
			}
		});
		String line;
		try {
			line = ready.get(2, TimeUnit.MINUTES);
		}
		catch (Exception ex) {
			line = null;
		}
		if (line == null || !line.startsWith("{")) {
			process.destroyForcibly();
			throw new IllegalStateException(
					"Miniflare did not start (" + DIR.resolve("server.mjs") + "): " + Files.readString(log));
		}
		JsonNode started = JSON.readTree(line);
		return new Miniflare(process, started.path("namespaceUrl").asString(), log);
	}

	private static void install(Path log) throws IOException, InterruptedException {
		Process npm;
		try {
			npm = new ProcessBuilder(List.of("npm", "ci", "--no-audit", "--no-fund")).directory(DIR.toFile())
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException("the Miniflare suite needs Node.js 20 or later and npm on the PATH: " + ex,
					ex);
		}
		if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
			npm.destroyForcibly();
			throw new IllegalStateException("npm ci in " + DIR + " failed: " + Files.readString(log));
		}
	}

	/** The namespace's API URL, for {@code kvbatch.cloudflare.namespace-url}. */
	String namespaceUrl() {
		return this.namespaceUrl;
	}

	/** The root of the server: the namespace URL's scheme, host and port. */
	String root() {
		return this.namespaceUrl.substring(0, this.namespaceUrl.indexOf("/cdn-cgi/"));
	}

	/** The namespace URL's path. */
	String namespacePath() {
		return this.namespaceUrl.substring(root().length());
	}

	Path log() {
		return this.log;
	}

	/** Stops Miniflare and the workerd it started, the latter first if they linger. */
	@Override
	public void close() throws InterruptedException {
		List<ProcessHandle> children = this.process.descendants().toList();
		this.process.destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
		children.forEach(ProcessHandle::destroy);
	}

}
