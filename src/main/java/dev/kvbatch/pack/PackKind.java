package dev.kvbatch.pack;

/**
 * How a rule turns the live logical entries of one physical key into that key's value.
 */
public enum PackKind {

	/** {@code {"<field>": <value>, ...}}, fields sorted. */
	MAP,

	/**
	 * {@code {"<field>": {"count":n,"sum":s,"min":a,"max":b}, ...}} over the entries'
	 * metrics.
	 */
	ROLLUP,

	/** The sequence's high-water mark as plain digits. */
	COUNTER,

	/** The single entry's value as JSON text, under the logical key itself. */
	DIRECT

}
