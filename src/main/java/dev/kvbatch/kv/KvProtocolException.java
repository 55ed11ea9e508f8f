package dev.kvbatch.kv;

/**
 * The target answered in a form kvbatch does not understand (an unknown shape of a bulk
 * read, a list without keys). Nothing is guessed or skipped: the step fails with this
 * message (exit 1) and nothing it read is used, so a restart reads again.
 */
public class KvProtocolException extends KvTargetException {

	public KvProtocolException(String message) {
		super(message);
	}

}
