/**
 * The usage report, downstream of everything: its model and arithmetic, the text, JSON,
 * CSV and HTML renderers, the chart and the mailer, built from the ledger, the staged
 * tally, the backlog and the account's analytics.
 */
@NullMarked
package dev.kvbatch.report;

import org.jspecify.annotations.NullMarked;
