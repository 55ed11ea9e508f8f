package dev.kvbatch.stage;

/**
 * One line of a spool file: a staging line ({@link LineResult}) or a rejection that the
 * stage step already recorded ({@link DeadLetter}).
 */
public sealed interface SpoolLine permits LineResult, SpoolLine.DeadLetter {

	/**
	 * A {@code {"deadLetter":{...}}} line: a rejection recorded by the stage step, with
	 * the source and line number of the original input.
	 *
	 * @param rejection the recorded rejection
	 */
	record DeadLetter(Rejection rejection) implements SpoolLine {

	}

}
