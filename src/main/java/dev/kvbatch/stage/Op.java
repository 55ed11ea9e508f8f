package dev.kvbatch.stage;

/** A staged logical operation. */
public enum Op {

	PUT, DELETE

}
