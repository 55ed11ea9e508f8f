package dev.kvbatch.stage;

import java.io.IOException;

/**
 * Receives the lines of a file from {@link LineReader} with the position after each, to
 * continue from later.
 */
@FunctionalInterface
public interface PositionedLineConsumer {

	/**
	 * Take one line.
	 * @param line the line; check {@link InputLine#problem()} before using its text
	 * @param after the position just after the line and its line break
	 * @throws IOException to stop reading; it is passed on to the caller
	 * @see LineConsumer#accept(InputLine)
	 */
	void accept(InputLine line, LinePosition after) throws IOException;

}
