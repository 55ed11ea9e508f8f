package dev.kvbatch.stage;

import java.time.Instant;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An accepted line still to be resolved, held whole in memory, as the resolver reads it:
 * for ingest of a dropped spool file and for staging straight into the database. Staging
 * through the spool reads its lines back from a scratch file instead.
 */
final class AcceptedItem implements Resolver.Item {

	private final String source;

	private final long line;

	private final LineResult.Accepted accepted;

	private final JsonMapper mapper;

	private final boolean carriesSeq;

	/**
	 * @param carriesSeq whether a {@code seq} the record carries is its value already (a
	 * record of an earlier version's spool file); a producer's is not
	 */
	AcceptedItem(String source, long line, LineResult.Accepted accepted, JsonMapper mapper, boolean carriesSeq) {
		this.source = source;
		this.line = line;
		this.accepted = accepted;
		this.mapper = mapper;
		this.carriesSeq = carriesSeq;
	}

	LineResult.Accepted accepted() {
		return this.accepted;
	}

	@Override
	public String source() {
		return this.source;
	}

	@Override
	public long line() {
		return this.line;
	}

	@Override
	public Op op() {
		return this.accepted.record().op();
	}

	@Override
	public String key() {
		return this.accepted.record().key();
	}

	@Override
	public boolean hasSeq() {
		return this.accepted.keyTemplate() != null;
	}

	@Override
	public @Nullable IdKey id() {
		return this.accepted.idKey();
	}

	@Override
	public long fingerprint() {
		return this.accepted.fingerprint();
	}

	@Override
	public @Nullable Long knownSeq() {
		return this.carriesSeq ? this.accepted.record().seq() : null;
	}

	@Override
	public Instant at() {
		return this.accepted.record().at();
	}

	@Override
	public @Nullable JsonNode value() {
		String json = this.accepted.record().valueJson();
		return (json != null) ? this.mapper.readTree(json) : null;
	}

	@Override
	public String raw() {
		String raw = this.accepted.raw();
		return (raw != null) ? raw : "";
	}

}
