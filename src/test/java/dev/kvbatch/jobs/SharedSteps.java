package dev.kvbatch.jobs;

import java.io.IOException;
import java.io.UncheckedIOException;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands every step test class the same {@link KvBatchSteps}, booted on first use and
 * closed after the last test (JUnit closes what its root store holds), and resets it
 * before each test.
 */
final class SharedSteps implements ParameterResolver, BeforeEachCallback {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedSteps.class);

	@Override
	public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
		return parameter.getParameter().getType() == KvBatchSteps.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
		return steps(context);
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		steps(context).reset();
	}

	private static KvBatchSteps steps(ExtensionContext context) {
		return context.getRoot().getStore(NAMESPACE).computeIfAbsent(KvBatchSteps.class, (key) -> {
			try {
				return new KvBatchSteps();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}, KvBatchSteps.class);
	}

}
