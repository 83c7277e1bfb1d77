package io.memsession.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/** Finds the servers' programs: the environment variable that names one, else the Debian locations and the PATH. */
final class Executables {

    private Executables() {
    }

    /**
     * @param variable an environment variable that may name the program's path
     * @param missing the message when it is nowhere, saying which package to install
     */
    static Path locate(String variable, String program, String missing) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (!Files.isExecutable(path)) {
                throw new IllegalStateException(variable + "=" + configured + " is not an executable file");
            }
            return path;
        }
        String searchPath = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"),
                        Arrays.stream(searchPath.split(File.pathSeparator)).filter(dir -> !dir.isEmpty()))
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(missing));
    }
}
