package io.memsession.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Everything the testkit starts or talks to lives on IPv4 loopback; a literal avoids any name resolution. */
final class Loopback {

    static final String HOST = "127.0.0.1";

    private static final int PROBE_TIMEOUT_MILLIS = 200;

    private Loopback() {
    }

    static InetSocketAddress address(int port) {
        return new InetSocketAddress(HOST, port);
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
