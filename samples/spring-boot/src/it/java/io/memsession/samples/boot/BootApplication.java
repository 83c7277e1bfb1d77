package io.memsession.samples.boot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;

import io.memsession.testkit.FreePorts;
import io.memsession.testkit.WebClient;

/**
 * The sample's repackaged jar in a JVM of its own ({@code java -jar}, as users run it), on a free loopback port,
 * killed like a crashed server. Its output goes to a log file, which a failing test shows.
 */
final class BootApplication implements AutoCloseable {

    private static final Duration START = Duration.ofSeconds(90);

    private final Process process;
    private final int port;
    private final Path log;

    private BootApplication(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts the sample; {@link #awaitReady} waits until it answers. */
    static BootApplication launch(Path directory, String name, List<String> jvmOptions, String... arguments) {
        int port = FreePorts.find();
        Path log = directory.resolve(name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-XX:TieredStopAtLevel=1"); // starts faster on the small machines the suite runs on
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(System.getProperty("sample.jar"));
        command.add("--server.port=" + port);
        command.add("--server.address=127.0.0.1");
        command.add("--sample.instance=" + name);
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                    .start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            return new BootApplication(process, port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    BootApplication awaitReady() {
        try (WebClient web = new WebClient()) {
            Awaitility.await("the sample on port " + port + " answers; its log:\n" + output()).atMost(START)
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("the sample exited; its log:\n" + output());
                        }
                        try {
                            return web.get(port, "/actuator/health").status() > 0;
                        } catch (RuntimeException notYet) {
                            return false;
                        }
                    });
        }
        return this;
    }

    /** Waits for the exit of a sample that must not start, and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(START.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the sample did not exit; its log:\n" + output());
        }
        return process.exitValue();
    }

    int port() {
        return port;
    }

    String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL, as in a crash. Returns once the JVM is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the sample on port " + port + " did not exit after SIGKILL");
        }
    }

    /** The number {@code /actuator/metrics/<name>} gives for {@code statistic} (COUNT, VALUE), with the tags. */
    double metric(WebClient web, String name, String statistic, String... tags) {
        StringBuilder path = new StringBuilder("/actuator/metrics/").append(name);
        String separator = "?";
        for (String tag : tags) {
            path.append(separator).append("tag=").append(tag);
            separator = "&";
        }
        WebClient.Response response = web.get(port, path.toString());
        if (response.status() != 200) {
            throw new AssertionError("GET " + path + ": " + response);
        }
        Matcher value = Pattern.compile("\"statistic\":\"" + statistic + "\",\"value\":([-0-9.E]+)")
                .matcher(response.body());
        if (!value.find()) {
            throw new AssertionError("GET " + path + " has no " + statistic + ": " + response.body());
        }
        return Double.parseDouble(value.group(1));
    }

    /** The status of memsession's component in {@code /actuator/health} (Boot 4 writes it after the details). */
    String memsessionHealth(WebClient web) {
        String health = web.get(port, "/actuator/health").body();
        int start = health.indexOf("\"memsession\":{");
        if (start < 0) {
            return null;
        }
        int end = start + "\"memsession\":".length();
        for (int depth = 0; end < health.length(); end++) {
            depth += health.charAt(end) == '{' ? 1 : health.charAt(end) == '}' ? -1 : 0;
            if (depth == 0) {
                break;
            }
        }
        // the details (nodes and their states) hold no status of their own
        Matcher status = Pattern.compile("\"status\":\"([A-Z_]+)\"").matcher(health.substring(start, end));
        return status.find() ? status.group(1) : null;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
