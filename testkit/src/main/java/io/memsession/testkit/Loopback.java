package io.memsession.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.function.Supplier;

/** Everything the testkit starts or talks to lives on IPv4 loopback; a literal avoids any name resolution. */
final class Loopback {

    static final String HOST = "127.0.0.1";

    private static final int PROBE_TIMEOUT_MILLIS = 200;

    private Loopback() {
    }

    static InetSocketAddress address(int port) {
        return new InetSocketAddress(HOST, port);
    }

    /**
     * Waits until {@code process}, just started, accepts connections on {@code port}. Throws, with the server's own
     * words from {@code output}, if it exits first or does not listen within {@code timeout}.
     */
    static void awaitListening(Process process, int port, Duration timeout, String what, Supplier<String> output) {
        awaitListening(process, HOST, port, timeout, what, output);
    }

    /** The same on another loopback address, {@code host}. */
    static void awaitListening(Process process, String host, int port, Duration timeout, String what,
                               Supplier<String> output) {
        boolean listening = Poll.until(timeout, () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " on port " + port + " exited with status "
                        + process.exitValue() + " during startup: " + output.get());
            }
            return accepts(host, port);
        });
        if (!listening) {
            throw new IllegalStateException(what + " did not accept connections on port " + port + " within "
                    + timeout.toSeconds() + " s: " + output.get());
        }
    }

    static boolean accepts(int port) {
        return accepts(HOST, port);
    }

    static boolean accepts(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), PROBE_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
