package dev.kvbatch.stage;

/** What a staged record stands for in the usage report. */
public enum Kind {

	UPLOAD, CHANGE

}
