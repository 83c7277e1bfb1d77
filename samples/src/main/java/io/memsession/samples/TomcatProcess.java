package io.memsession.samples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link SampleTomcat} in a JVM of its own, so it can be killed like a crashed server. Its output goes to a log
 * file; the process is stopped through its own handle.
 */
public final class TomcatProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    private TomcatProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts a SampleTomcat and waits (up to 60 s) until it serves requests.
     *
     * @param jvmOptions options for the child JVM, e.g. {@code -Xmx512m}
     * @param arguments SampleTomcat's arguments
     */
    public static TomcatProcess start(int port, Path log, List<String> jvmOptions, List<String> arguments) {
        return start(port, log, jvmOptions, System.getProperty("java.class.path"), SampleTomcat.class.getName(),
                arguments);
    }

    /**
     * Starts {@code mainClass} from {@code classPath} with {@code --port port} and {@code arguments}, and waits (up
     * to 60 s) until it prints {@code READY <port>} as SampleTomcat does: e.g. a Tomcat with another session
     * manager, whose JVM must not see memsession.
     */
    public static TomcatProcess start(int port, Path log, List<String> jvmOptions, String classPath, String mainClass,
            List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.add("--port");
        command.add(String.valueOf(port));
        command.addAll(arguments);
        return start(command, port, log);
    }

    /**
     * Starts the Spring Boot sample ({@code java -jar bootJar}) as Tomcat {@code route} and waits (up to 60 s) until
     * it serves requests. The Manager's attributes ({@code sticky=false}) become the starter's properties
     * ({@code --memsession.sticky=false}).
     */
    public static TomcatProcess startBoot(int port, Path log, List<String> jvmOptions, Path bootJar, String route,
            String memcachedNodes, List<String> attributes) {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(bootJar.toString());
        command.add("--server.port=" + port);
        command.add("--server.address=127.0.0.1");
        command.add("--sample.instance=" + route);
        command.add("--memsession.jvm-route=" + route);
        command.add("--memsession.memcached-nodes=" + memcachedNodes);
        for (String attribute : attributes) {
            String[] pair = attribute.split("=", 2);
            command.add("--memsession." + pair[0].replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT) + "="
                    + pair[1]);
        }
        return start(command, port, log);
    }

    private static TomcatProcess start(List<String> command, int port, Path log) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(false)
                    .redirectError(log.toFile()).start();
            TomcatProcess tomcat = new TomcatProcess(process, port, log);
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            tomcat.awaitReady();
            return tomcat;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady() {
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("READY ")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        try {
            if (!ready.get(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Tomcat on port " + port + " exited; see " + log);
            }
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("Tomcat on port " + port + " did not start within 60 s; see " + log);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("Tomcat on port " + port + " failed to start; see " + log, e);
        }
    }

    public int port() {
        return port;
    }

    /** The JVM's process id, for the tools that look into it ({@code /proc}, {@code jcmd}). */
    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the JVM at once (SIGKILL), as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
    }
}
