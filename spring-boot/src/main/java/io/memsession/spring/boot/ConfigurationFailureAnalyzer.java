package io.memsession.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.memsession.core.config.ConfigurationException;

/** A wrong {@code memsession.*} property: the attribute's message, as {@code context.xml} would give it, on its own. */
final class ConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis(cause.getMessage(), "Correct the memsession.* property (each is the Manager "
                + "attribute of the same name in kebab case: lockTimeout is memsession.lock-timeout; "
                + "docs/configuration.md describes them).", cause);
    }
}
