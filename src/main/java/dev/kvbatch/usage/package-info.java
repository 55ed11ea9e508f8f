/**
 * Usage: the ledger of every call sent to a target, the logical operations staged per
 * day, the plan they are measured against, and the usage report built from them (its
 * model, arithmetic, renderers, chart and mailer). The daily budget comes later.
 */
@NullMarked
package dev.kvbatch.usage;

import org.jspecify.annotations.NullMarked;
