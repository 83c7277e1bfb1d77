package io.memsession.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What the two load balancers share: a temporary directory for the configuration and the log, a foreground process
 * started from it, and a start that returns only once the listening port accepts connections.
 */
final class BalancerProcess {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final String name;
    private final Path directory;
    private final int port;
    private final Process process;

    private BalancerProcess(String name, Path directory, int port, Process process) {
        this.name = name;
        this.directory = directory;
        this.port = port;
        this.process = process;
    }

    /**
     * Writes {@code configuration} to {@code directory/configFile}, runs {@code command} (which names that file) in
     * {@code directory} with its output in {@code directory/console.log}, and waits until {@code port} accepts
     * connections. On failure the directory is deleted and the message holds the balancer's own words.
     */
    static BalancerProcess start(String name, Path directory, String configFile, String configuration,
                                 List<String> command, int port) {
        Path log = directory.resolve("console.log");
        Process started;
        try {
            Files.writeString(directory.resolve(configFile), configuration, StandardCharsets.UTF_8);
            started = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            TemporaryDirectories.delete(directory);
            throw new UncheckedIOException("cannot start " + name, e);
        }
        ProcessReaper.register(started);
        BalancerProcess balancer = new BalancerProcess(name, directory, port, started);
        try {
            Loopback.awaitListening(started, port, STARTUP_TIMEOUT, name, balancer::logs);
        } catch (RuntimeException e) {
            balancer.close();
            throw e;
        }
        return balancer;
    }

    int port() {
        return port;
    }

    /** Everything in the directory's .log files, for failure messages. */
    String logs() {
        StringBuilder text = new StringBuilder();
        try (var files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".log")).sorted()::iterator) {
                text.append('\n').append(file.getFileName()).append(":\n")
                        .append(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            text.append("(logs unavailable: ").append(e).append(')');
        }
        return text.toString();
    }

    /** SIGTERM, so a balancer with worker processes (httpd) stops them itself; SIGKILL for the rest. */
    void close() {
        try {
            if (process.isAlive()) {
                ProcessReaper.terminate(process, false, EXIT_TIMEOUT, name);
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            TemporaryDirectories.delete(directory);
        }
    }

    @Override
    public String toString() {
        return name + " on port " + port;
    }
}
