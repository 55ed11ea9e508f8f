package dev.kvbatch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

import org.h2.engine.SysProperties;
import org.h2.tools.Server;
import org.jspecify.annotations.Nullable;

import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.PropertySource;

/**
 * The data folder's H2 database, shared by {@code kvbatch serve} with the other commands
 * while it runs. H2 lets one process open a database file; serve is that process, and it
 * serves the database to the others over H2's TCP protocol on loopback:
 * <ul>
 * <li>serve starts an H2 TCP server bound to 127.0.0.1 (the {@code h2.bindAddress} that
 * {@link DataDirEnvironmentPostProcessor} sets for it), which also refuses peers that are
 * not this host, and opens only this database, under a random 128-bit name;</li>
 * <li>it writes the port and that name into {@value #FILE} in the data folder (readable
 * by its owner only), and deletes the file when it stops;</li>
 * <li>another command on the default database whose data folder has that file, and whose
 * port answers, connects through the server instead of opening the file.</li>
 * </ul>
 * Locks are the database's: a run lock a command holds through serve is a row lock in
 * serve's database, freed when the command's connection ends. A command never takes the
 * database over: when serve dies, the command's connections break and it ends with an
 * error (H2's automatic mixed mode would reconnect them to a copy of the file it opens
 * itself, running on without the run lock). Serve's own access stays embedded.
 */
public final class SharedDatabase implements AutoCloseable {

	/** The file in the data folder that says where serve's database server listens. */
	public static final String FILE = "kvbatch.server";

	static final String LOOPBACK = "127.0.0.1";

	private static final int PROBE_MILLIS = 2000;

	private static final SecureRandom RANDOM = new SecureRandom();

	private final Server server;

	private final Path file;

	private final String name;

	private SharedDatabase(Server server, Path file, String name) {
		this.server = server;
		this.file = file;
		this.name = name;
	}

	/**
	 * The URL of the data folder's database as a running serve serves it, or empty when
	 * no serve runs on it (no file, or a file a killed serve left, whose port is closed).
	 */
	static Optional<String> servedUrl(Path dataDir) {
		Path file = dataDir.resolve(FILE);
		if (!Files.isRegularFile(file)) {
			return Optional.empty();
		}
		Properties served = new Properties();
		try (InputStream in = Files.newInputStream(file)) {
			served.load(in);
		}
		catch (IOException ex) {
			return Optional.empty();
		}
		String name = served.getProperty("name", "");
		int port;
		try {
			port = Integer.parseInt(served.getProperty("port", ""));
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
		if (name.isEmpty() || !answers(port)) {
			return Optional.empty();
		}
		SecretScrubber.register(name);
		return Optional.of("jdbc:h2:tcp://" + LOOPBACK + ":" + port + "/" + name);
	}

	/**
	 * Starts serving the context's database to the other commands, if it is the data
	 * folder's default H2 database; empty for a {@code spring.datasource.url} the user
	 * set (PostgreSQL, or an H2 URL of their own, which they share as they chose).
	 */
	public static Optional<SharedDatabase> serve(ConfigurableEnvironment environment) {
		PropertySource<?> defaults = environment.getPropertySources()
			.get(DataDirEnvironmentPostProcessor.PROPERTY_SOURCE);
		if (defaults == null || !Objects.equals(environment.getProperty("spring.datasource.url"),
				defaults.getProperty("spring.datasource.url"))) {
			return Optional.empty();
		}
		Path dataDir = DataDirEnvironmentPostProcessor.dataDir(environment);
		String bind = SysProperties.BIND_ADDRESS;
		if (!isLoopback(bind)) {
			throw new ConfigurationException("serve shares its H2 database with the other commands on loopback only, "
					+ "but h2.bindAddress is " + ((bind != null) ? bind : "unset (H2 was loaded before serve set it)"));
		}
		String name = HexFormat.of().formatHex(randomBytes());
		SecretScrubber.register(name);
		Server server;
		try {
			// No -tcpAllowOthers: H2 refuses peers that are not this host. No
			// -ifNotExists: only the one database, which is open already.
			server = Server
				.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-key", name,
						DataDirEnvironmentPostProcessor.database(dataDir).toString())
				.start();
		}
		catch (SQLException ex) {
			throw new IllegalStateException("cannot serve the database to the other commands: " + ex.getMessage(), ex);
		}
		Path file = dataDir.resolve(FILE);
		try {
			write(file, server.getPort(), name);
		}
		catch (IOException ex) {
			server.stop();
			throw new UncheckedIOException("cannot write " + file, ex);
		}
		return Optional.of(new SharedDatabase(server, file, name));
	}

	/**
	 * Whether the context's database is one a running serve serves: for the summary line.
	 */
	public static boolean isServed(ConfigurableEnvironment environment) {
		return environment.getPropertySources().contains(DataDirEnvironmentPostProcessor.SERVED_PROPERTY_SOURCE);
	}

	/** Where the server listens: {@code 127.0.0.1:port}. */
	public String address() {
		return LOOPBACK + ":" + this.server.getPort();
	}

	/**
	 * Stops serving: new commands open the file themselves (and wait for serve's context
	 * to let it go), commands still connected end with a lost connection.
	 */
	@Override
	public void close() {
		try {
			Properties served = new Properties();
			try (InputStream in = Files.newInputStream(this.file)) {
				served.load(in);
			}
			if (this.name.equals(served.getProperty("name"))) {
				Files.deleteIfExists(this.file);
			}
		}
		catch (IOException ex) {
			// Gone already, or unreadable: a later command finds its port closed.
		}
		finally {
			this.server.stop();
		}
	}

	private static byte[] randomBytes() {
		byte[] bytes = new byte[16];
		RANDOM.nextBytes(bytes);
		return bytes;
	}

	private static boolean isLoopback(@Nullable String address) {
		if (address == null) {
			return false;
		}
		try {
			return InetAddress.getByName(address).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static boolean answers(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(LOOPBACK, port), PROBE_MILLIS);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Written whole or not at all, readable by its owner only (where POSIX allows). */
	private static void write(Path file, int port, String name) throws IOException {
		Path temp = file.resolveSibling(FILE + ".tmp");
		Files.deleteIfExists(temp);
		try {
			if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
				Files.createFile(temp,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			}
			else {
				Files.createFile(temp);
			}
		}
		catch (FileAlreadyExistsException ex) {
			throw new IOException("another serve is starting on this data folder", ex);
		}
		try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
			out.write("# kvbatch serve shares the database here while it runs (see the README)\n");
			out.write("port=" + port + "\n");
			out.write("name=" + name + "\n");
		}
		Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

}
