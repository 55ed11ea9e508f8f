/**
 * The KV port and its targets: the embedded local store, KV's limits, and the metering of
 * every call into the ledger. The only package that talks to a KV service.
 */
@NullMarked
package dev.kvbatch.target;

import org.jspecify.annotations.NullMarked;
