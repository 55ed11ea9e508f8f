/**
 * The command line, at the edge: picocli commands, their exit codes and one-line errors,
 * and the Spring contexts each command boots. Nothing imports it.
 */
@NullMarked
package dev.kvbatch.cli;

import org.jspecify.annotations.NullMarked;
