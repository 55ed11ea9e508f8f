package dev.kvbatch.metering;

import java.util.Locale;

/** The KV operations Cloudflare bills, each with its own daily limit on the free plan. */
public enum Operation {

	READ, WRITE, DELETE, LIST;

	/** The lower-case name used in the ledger and reports. */
	public String label() {
		return name().toLowerCase(Locale.ROOT);
	}

}
