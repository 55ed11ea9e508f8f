package dev.kvbatch;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where kvbatch keeps its state and rules, and which target it writes to.
 *
 * @param dataDir the H2 database, the spool folder and the reports
 * ({@code KVBATCH_DATA_DIR})
 * @param jobsDir the packing rules and schedules operators edit
 * ({@code KVBATCH_JOBS_DIR}); the bundled rules are used when it holds none
 * @param target {@code local} (the embedded store in H2) or {@code cloudflare}
 * ({@code KVBATCH_TARGET})
 * @param seqStartAfter {@code {seq}} values already in use before kvbatch, e.g. the
 * counter an app kept in KV: the next key gets one more ({@code KVBATCH_SEQ_START_AFTER})
 */
@ConfigurationProperties("kvbatch")
public record KvBatchProperties(@DefaultValue("./data") Path dataDir, @DefaultValue("./jobs") Path jobsDir,
		@DefaultValue("local") Target target, @DefaultValue("0") long seqStartAfter) {

	/** The spool folder producers and {@code kvbatch stage} drop complete files into. */
	public Path spoolDir() {
		return this.dataDir.resolve("spool");
	}

	/** The file-locked {@code {seq}} sequence. */
	public Path seqFile() {
		return this.dataDir.resolve("seq");
	}

	/** The file-locked idempotency index of staged ids. */
	public Path idsDir() {
		return this.dataDir.resolve("ids");
	}

}
