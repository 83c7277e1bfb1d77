package io.memsession.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A class's {@code main} in a JVM of its own, on the calling JVM's class path, talked to line by line over its
 * standard input and output: for what a test cannot do to its own JVM, such as stopping it (SIGSTOP) while it waits
 * for memcached, as a long garbage collection pause does.
 */
public final class JavaProcess implements AutoCloseable {

    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final BufferedReader out;
    private final PrintWriter in;
    private final String name;

    private JavaProcess(Process process, String name) {
        this.process = process;
        this.name = name;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** Starts {@code mainClass} with {@code args}; its standard error goes to this JVM's. */
    public static JavaProcess start(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        try {
            Process started = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            ProcessReaper.register(started);
            return new JavaProcess(started, mainClass.getSimpleName() + " (pid " + started.pid() + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a JVM for " + mainClass.getName(), e);
        }
    }

    /** Sends one line to its standard input. */
    public void send(String line) {
        in.println(line);
    }

    /** The next line it prints, waited for up to {@code timeout}. */
    public String nextLine(Duration timeout) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String read = line.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (read == null) {
                throw new IllegalStateException(name + " ended its output");
            }
            return read;
        } catch (TimeoutException e) {
            throw new IllegalStateException(name + " printed nothing within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(name + "'s output cannot be read", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGSTOP: nothing in the JVM runs, while its sockets receive, until {@link #resume()}. */
    public void pause() {
        ProcessReaper.pause(process, true, name);
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        ProcessReaper.pause(process, false, name);
    }

    /** Kills the JVM if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            ProcessReaper.terminate(process, true, EXIT_TIMEOUT, name);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
