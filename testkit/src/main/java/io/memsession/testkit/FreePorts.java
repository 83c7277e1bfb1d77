package io.memsession.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Finds loopback ports that are free at the moment of the call. */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port on 127.0.0.1 the kernel just handed out; another process could still take it before the caller binds. */
    public static int find() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(Loopback.address(0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }
}
