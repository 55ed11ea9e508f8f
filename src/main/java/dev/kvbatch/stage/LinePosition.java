package dev.kvbatch.stage;

/**
 * A place between two lines of an input: how many lines come before it and where it is in
 * bytes, so that a reader can continue there without reading those lines again.
 *
 * @param line the lines before it
 * @param offset the bytes before it, line breaks included
 */
public record LinePosition(long line, long offset) {

	/** The start of an input. */
	public static final LinePosition START = new LinePosition(0, 0);

}
