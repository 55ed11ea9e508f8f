/**
 * Usage: the ledger of every call sent to a target, the logical operations staged per
 * day, and (later) the daily budget and the report built from them.
 */
@NullMarked
package dev.kvbatch.usage;

import org.jspecify.annotations.NullMarked;
