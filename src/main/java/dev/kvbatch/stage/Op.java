package dev.kvbatch.stage;

/**
 * A staged logical operation, written {@code "put"} or {@code "delete"} in staging lines.
 */
public enum Op {

	PUT, DELETE

}
