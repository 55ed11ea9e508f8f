/**
 * The application and its settings, which every package may use: the {@code kvbatch.*}
 * properties, the settings check, secret scrubbing, durable commits and the packing
 * rules' configuration. {@code main} hands the command line to {@code cli}.
 */
@NullMarked
package dev.kvbatch;

import org.jspecify.annotations.NullMarked;
