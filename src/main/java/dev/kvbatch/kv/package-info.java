/**
 * The KV port ({@link dev.kvbatch.kv.KvTarget}), its exceptions, the checks every adapter
 * makes before a call, and the metering of every call into the ledger. The adapters live
 * in sub-packages ({@code kv.local}, {@code kv.cloudflare}), one per backend, chosen by
 * {@code kvbatch.target}; they are the only code that talks to a KV service.
 */
@NullMarked
package dev.kvbatch.kv;

import org.jspecify.annotations.NullMarked;
