/**
 * kvbatch's own meters, at the edge: gauges that read the ledger, the budget, the outbox
 * backlog, the dirty keys, the freshness log and the dead letters through their owners,
 * at scrape time and at most once per {@link dev.kvbatch.metrics.Readings#MAX_AGE}; and
 * the push of a run's meters to a Prometheus Pushgateway when it ends. The names are
 * listed in {@code docs/metrics.md}. Nothing points back into this package.
 */
@NullMarked
package dev.kvbatch.metrics;

import org.jspecify.annotations.NullMarked;
