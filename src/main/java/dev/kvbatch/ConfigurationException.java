package dev.kvbatch;

/**
 * A setting or an operator-edited file that kvbatch cannot work with. The CLI exits 2
 * with its message.
 */
public class ConfigurationException extends RuntimeException {

	public ConfigurationException(String message) {
		super(message);
	}

	public ConfigurationException(String message, Throwable cause) {
		super(message, cause);
	}

}
