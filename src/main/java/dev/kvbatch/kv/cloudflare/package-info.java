/**
 * The Cloudflare adapter of the KV port: the Workers KV REST client with its limits,
 * request splitting, rate limiting and retries, and the account's GraphQL analytics.
 */
@NullMarked
package dev.kvbatch.kv.cloudflare;

import org.jspecify.annotations.NullMarked;
