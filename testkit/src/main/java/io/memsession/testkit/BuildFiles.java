package io.memsession.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files the build hands the install tests in system properties (the failsafe configuration in the poms: the jar
 * under test, the Tomcat distribution, the peers' jars), so a test run outside {@code mvn verify} fails at once with
 * the property's name instead of somewhere inside Tomcat.
 */
public final class BuildFiles {

    private BuildFiles() {
    }

    /** The file or directory the system property names; it must exist. */
    public static Path required(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            throw new IllegalStateException("system property " + property + " must name an existing file, but is "
                    + value + "; run with mvn verify");
        }
        return Path.of(value);
    }
}
