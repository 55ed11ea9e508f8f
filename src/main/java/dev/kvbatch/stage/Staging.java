package dev.kvbatch.stage;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@code kvbatch stage} use case, as {@code kvbatch stage} and the HTTP API call it:
 * validate staging input and make it durable, with {@code {seq}} values and idempotency
 * resolved. Two implementations, chosen by the datasource at start: the spool folder on
 * H2 ({@link Stager}) and the outbox itself on PostgreSQL ({@link OutboxStager}).
 * <p>
 * Contract of both: a run stages all its accepted lines or none; when it returns, what it
 * staged is durable and what it printed is true; a retry of a staged record (same id,
 * same record) stages nothing and is told the key it got the first time. Thread-safe.
 */
public interface Staging {

	/**
	 * Stage every line of the sources, in order.
	 * @param sources the inputs; each is read to its end and not closed
	 * @param assignedKeyPrinter receives {@code a{seq} -> a15} for each staged record
	 * whose key held {@code {seq}}, and {@code a{seq} -> a07 (already staged)} for each
	 * retry of a staged record, in input order, once the run is committed
	 * @param rejectionPrinter receives each rejection; rejections are also kept as dead
	 * letters
	 * @return the counts (and the spool file, for the spool implementation)
	 * @throws IOException if a source cannot be read or the records cannot be made
	 * durable; nothing is staged then
	 */
	StageSummary stage(List<Stager.Source> sources, Consumer<String> assignedKeyPrinter,
			Consumer<Rejection> rejectionPrinter) throws IOException;

}
