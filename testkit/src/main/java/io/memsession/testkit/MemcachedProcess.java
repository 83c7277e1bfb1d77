package io.memsession.testkit;

import com.sun.security.auth.module.UnixSystem;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real memcached server on 127.0.0.1 (or another loopback address), one worker thread and 64 MB, with UDP off.
 * Tests that need memcached fail with {@link #requireInstalled()}'s message rather than being skipped, so a missing
 * install is never mistaken for a green build.
 */
public final class MemcachedProcess implements AutoCloseable {

    private static final String NOT_INSTALLED = "memcached is not installed: install the Debian package 'memcached'"
            + " (apt-get install memcached) or set MEMCACHED_BIN";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final Path binary;
    /** The loopback address it listens on: 127.0.0.1 unless a test needs another one. */
    private final String host;
    private final int port;
    private final List<String> extraArgs;
    private final Map<String, String> environment;
    private final Path log;
    private volatile Process process;
    private volatile boolean paused;

    private MemcachedProcess(Path binary, String host, int port, List<String> extraArgs,
                             Map<String, String> environment, Path log) {
        this.binary = binary;
        this.host = host;
        this.port = port;
        this.extraArgs = extraArgs;
        this.environment = environment;
        this.log = log;
    }

    /** Starts memcached on a free port. */
    public static MemcachedProcess start() {
        return start(FreePorts.find());
    }

    /** Starts memcached on {@code port}; {@code extraArgs} are appended to the command line, e.g. "-I", "2m". */
    public static MemcachedProcess start(int port, String... extraArgs) {
        return start(port, Map.of(), extraArgs);
    }

    /**
     * Starts memcached on a free port that speaks TLS only ({@code -Z}) with the server certificate of {@code tls},
     * and lets in only the users of {@code sasl} ({@code -S}, binary protocol); either may be null for none.
     */
    public static MemcachedProcess startSecured(TestCertificates tls, SaslDatabase sasl, String... extraArgs) {
        return startSecured(FreePorts.find(), tls, sasl, extraArgs);
    }

    /** {@link #startSecured(TestCertificates, SaslDatabase, String...)} on {@code port}. */
    public static MemcachedProcess startSecured(int port, TestCertificates tls, SaslDatabase sasl,
                                                String... extraArgs) {
        List<String> args = new ArrayList<>();
        if (tls != null) {
            args.addAll(List.of(tls.memcachedArguments()));
        }
        if (sasl != null) {
            args.add("-S");
        }
        args.addAll(List.of(extraArgs));
        return start(port, sasl == null ? Map.of() : sasl.environment(), args.toArray(new String[0]));
    }

    /**
     * Starts memcached on another loopback address than 127.0.0.1 (Linux routes all of 127.0.0.0/8 to the loopback
     * device), e.g. for a host name whose address changes from one memcached to another on the same port.
     */
    public static MemcachedProcess startOn(String loopbackAddress, int port) {
        return start(loopbackAddress, port, Map.of());
    }

    private static MemcachedProcess start(int port, Map<String, String> environment, String... extraArgs) {
        return start(Loopback.HOST, port, environment, extraArgs);
    }

    private static MemcachedProcess start(String host, int port, Map<String, String> environment,
                                          String... extraArgs) {
        Path binary = locateBinary();
        Path log;
        try {
            log = Files.createTempFile("memcached-" + port + "-", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        MemcachedProcess memcached = new MemcachedProcess(binary, host, port, List.of(extraArgs), environment, log);
        try {
            memcached.launch();
        } catch (RuntimeException e) {
            memcached.close();
            throw e;
        }
        return memcached;
    }

    /** Throws {@link IllegalStateException} explaining how to install memcached if it cannot be found. */
    public static void requireInstalled() {
        locateBinary();
    }

    /** The loopback address it listens on. */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:port" (or the other loopback address it listens on), the form memcached clients take. */
    public String address() {
        return host + ":" + port;
    }

    /** The running memcached's process id, e.g. to read its CPU time from {@code /proc}. */
    public long pid() {
        return runningProcess().pid();
    }

    public boolean isRunning() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** SIGKILL, as in a crash: nothing is flushed or closed gracefully. Returns once the process is gone. */
    public void kill() {
        terminate(true);
    }

    /** SIGTERM, as in an orderly shutdown. Returns once the process is gone. */
    public void stop() {
        terminate(false);
    }

    /** Starts a fresh memcached on the same port, killing the current one first if needed; the cache is empty. */
    public void restart() {
        kill();
        launch();
    }

    /**
     * SIGSTOP, as in a machine that hangs or a network that drops everything: connections stay open, nothing is
     * answered, and the cache is kept for {@link #resume()}.
     */
    public void pause() {
        ProcessReaper.pause(runningProcess(), true, toString());
        paused = true;
    }

    /** SIGCONT: a paused memcached answers again, with what it held (and what was sent to it meanwhile). */
    public void resume() {
        ProcessReaper.pause(runningProcess(), false, toString());
        paused = false;
    }

    /** Whether {@link #pause()} stopped it and nothing resumed it since. */
    public boolean isPaused() {
        return paused && isRunning();
    }

    @Override
    public void close() {
        kill();
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "memcached " + address();
    }

    private void launch() {
        paused = false;
        // Without this check an occupied port would look like a successful start until memcached's bind failed.
        if (Loopback.accepts(host, port)) {
            throw new IllegalStateException("cannot start memcached: port " + port + " is already in use");
        }
        Process started;
        try {
            ProcessBuilder builder = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            started = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        }
        ProcessReaper.register(started);
        process = started;
        try {
            Loopback.awaitListening(started, host, port, STARTUP_TIMEOUT, "memcached", this::readLog);
        } catch (RuntimeException e) {
            started.destroyForcibly(); // not left running: restart() has no caller that would close it
            throw e;
        }
    }

    private List<String> command() {
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "-l", host, "-p", Integer.toString(port), "-U", "0", "-t", "1", "-m", "64", "-c", "1024"));
        // memcached refuses to run as root unless told which user to run as.
        if (new UnixSystem().getUid() == 0) {
            command.addAll(List.of("-u", "root"));
        }
        command.addAll(extraArgs);
        return command;
    }

    private Process runningProcess() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        return current;
    }

    private void terminate(boolean forcibly) {
        Process current = process;
        if (current != null && current.isAlive()) {
            ProcessReaper.terminate(current, forcibly, EXIT_TIMEOUT, toString());
        }
    }

    private String readLog() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(output unavailable: " + e + ")";
        }
    }

    private static Path locateBinary() {
        return Executables.locate("MEMCACHED_BIN", "memcached", NOT_INSTALLED);
    }
}
