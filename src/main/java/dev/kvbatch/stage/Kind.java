package dev.kvbatch.stage;

/**
 * What a staged record stands for in the usage report, written {@code "upload"} or
 * {@code "change"} in staging lines ({@code "change"} when left out).
 */
public enum Kind {

	UPLOAD, CHANGE

}
