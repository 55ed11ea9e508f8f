package dev.kvbatch;

import java.util.Set;

/**
 * The names of kvbatch's jobs and their steps, in one place: users type the job names
 * ({@code kvbatch run compress}), and Spring Batch records both, so each is part of the
 * contract and written only here.
 */
public final class JobNames {

	/** Loads the spool folder into the outbox (also compress's first step). */
	public static final String INGEST = "ingest";

	/** Ingest, apply and flush. */
	public static final String COMPRESS = "compress";

	/** Expires entries, flushes what changed and trims by retention. */
	public static final String PRUNE = "prune";

	/** The nightly usage report. */
	public static final String USAGE_REPORT = "usage-report";

	/** Loads legacy keys into the logical store. */
	public static final String MIGRATE = "migrate";

	/** Every job {@code kvbatch run} starts. */
	public static final Set<String> ALL = Set.of(INGEST, COMPRESS, PRUNE, USAGE_REPORT, MIGRATE);

	private JobNames() {
	}

	/** The names of the steps. */
	public static final class Steps {

		/** Spool files into the outbox. */
		public static final String INGEST = JobNames.INGEST;

		/** Outbox rows into the logical store. */
		public static final String APPLY = "apply";

		/** Dirty physical keys to KV. */
		public static final String FLUSH = "flush";

		/** Expired logical entries removed. */
		public static final String EXPIRE = "expire";

		/** Local data trimmed by retention. */
		public static final String RETENTION = "retention";

		/** The report's ledger sums. */
		public static final String LEDGER = "ledger";

		/** The report's outbox backlog. */
		public static final String BACKLOG = "backlog";

		/** The report written (and mailed). */
		public static final String REPORT = "report";

		/** Legacy keys listed and loaded. */
		public static final String LOAD = "load";

		/** Verified legacy keys deleted. */
		public static final String DELETE_LEGACY = "delete-legacy";

		private Steps() {
		}

	}

}
