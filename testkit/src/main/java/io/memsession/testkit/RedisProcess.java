package io.memsession.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis server on 127.0.0.1, in the foreground, persisting nothing (no RDB snapshots, no append-only file),
 * its working directory and log in a temporary directory of its own. For the benchmark's peer that keeps sessions
 * in Redis; like memcached, it fails with {@link #requireInstalled()}'s message when Redis is missing.
 */
public final class RedisProcess implements AutoCloseable {

    private static final String NOT_INSTALLED = "redis-server is not installed: install the Debian package"
            + " 'redis-server' (apt-get install redis-server) or set REDIS_BIN";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Path directory;
    private final Process process;

    private RedisProcess(int port, Path directory, Process process) {
        this.port = port;
        this.directory = directory;
        this.process = process;
    }

    /** Starts Redis on a free port. */
    public static RedisProcess start() {
        return start(FreePorts.find());
    }

    /** Starts Redis on {@code port}; {@code extraArgs} are appended to its command line, e.g. "--maxclients", "64". */
    public static RedisProcess start(int port, String... extraArgs) {
        Path binary = locateBinary();
        // Without this check an occupied port would look like a successful start until Redis's bind failed.
        if (Loopback.accepts(port)) {
            throw new IllegalStateException("cannot start Redis: port " + port + " is already in use");
        }
        Path directory = TemporaryDirectories.create("redis-" + port + "-");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--bind", Loopback.HOST,
                "--port", Integer.toString(port), "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", directory.toString(), "--logfile", ""));
        command.addAll(List.of(extraArgs));
        Process started;
        try {
            started = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            TemporaryDirectories.delete(directory);
            throw new UncheckedIOException("cannot run " + binary, e);
        }
        ProcessReaper.register(started);
        RedisProcess redis = new RedisProcess(port, directory, started);
        try {
            Loopback.awaitListening(started, port, STARTUP_TIMEOUT, "Redis", redis::log);
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
        return redis;
    }

    /** Throws {@link IllegalStateException} explaining how to install Redis if it cannot be found. */
    public static void requireInstalled() {
        locateBinary();
    }

    public int port() {
        return port;
    }

    /** "127.0.0.1:port". */
    public String address() {
        return Loopback.HOST + ":" + port;
    }

    /** The server's process id, e.g. to read its CPU time from {@code /proc}. */
    public long pid() {
        if (!process.isAlive()) {
            throw new IllegalStateException(this + " is not running");
        }
        return process.pid();
    }

    public boolean isRunning() {
        return process.isAlive();
    }

    /** SIGKILL, as in a crash; returns once the process is gone. Its data is gone with it. */
    public void kill() {
        if (process.isAlive()) {
            ProcessReaper.terminate(process, true, EXIT_TIMEOUT, toString());
        }
    }

    /** Kills the server and deletes its directory. */
    @Override
    public void close() {
        try {
            kill();
        } finally {
            TemporaryDirectories.delete(directory);
        }
    }

    @Override
    public String toString() {
        return "Redis " + address();
    }

    private String log() {
        try {
            return Files.readString(directory.resolve("redis.log"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(output unavailable: " + e + ")";
        }
    }

    private static Path locateBinary() {
        return Executables.locate("REDIS_BIN", "redis-server", NOT_INSTALLED);
    }
}
