/**
 * The HTTP API of {@code kvbatch serve}, at the edge: Cloudflare's KV REST routes (writes
 * staged exactly as {@code kvbatch stage} stages them, reads answered from the local
 * state) and the native {@code POST /v1/stage}. Only the CLI's serve wiring refers to it.
 */
@NullMarked
package dev.kvbatch.api;

import org.jspecify.annotations.NullMarked;
