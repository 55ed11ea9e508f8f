/**
 * The KV port and its targets: the embedded local store, the Cloudflare REST client, KV's
 * limits, and the metering of every call into the ledger. The only package that talks to
 * a KV service, and the only one that speaks HTTP.
 */
@NullMarked
package dev.kvbatch.target;

import org.jspecify.annotations.NullMarked;
