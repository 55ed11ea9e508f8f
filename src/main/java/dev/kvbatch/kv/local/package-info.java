/**
 * The local adapter of the KV port: an embedded store in the H2 database
 * ({@code kv_local}), with Workers KV's limits, so a local run refuses what Cloudflare
 * would.
 */
@NullMarked
package dev.kvbatch.kv.local;

import org.jspecify.annotations.NullMarked;
