package dev.kvbatch.stage;

import java.io.IOException;

/**
 * Receives the lines of a file or stream, in order, from {@link LineReader}.
 */
@FunctionalInterface
public interface LineConsumer {

	/**
	 * Take one line. Blank lines are passed on too (the validator skips them), so that
	 * line numbers stay physical.
	 * @param line the line; check {@link InputLine#problem()} before using its text
	 * @throws IOException to stop reading; it is passed on to the caller
	 */
	void accept(InputLine line) throws IOException;

}
