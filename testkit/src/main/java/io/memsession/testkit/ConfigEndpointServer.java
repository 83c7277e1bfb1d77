package io.memsession.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import javax.net.ServerSocketFactory;

/**
 * An ElastiCache-style configuration endpoint on 127.0.0.1, in front of real memcached processes: it answers
 * {@code config get cluster} with the node list a test sets, and anything else with {@code ERROR} (or, as an older
 * engine, {@code get AmazonElastiCache:cluster} only). There is no
 * other way to have one here. A test can change the list, take the endpoint down (connections refused) and bring
 * it back, or have it answer raw bytes of its choosing, as a clumsy operator or an impostor would. Over TLS too, as
 * ElastiCache's endpoint with in-transit encryption.
 */
public final class ConfigEndpointServer implements AutoCloseable {

    private final int port;
    private final ServerSocketFactory sockets;
    private final AtomicInteger questions = new AtomicInteger();
    private volatile String answer;
    /** What {@code get AmazonElastiCache:cluster} answers: the list as engines before memcached 1.4.14 keep it. */
    private volatile String legacyAnswer = "END\r\n";
    /** Whether it answers {@code config get cluster} with ERROR, as those engines do. */
    private volatile boolean legacy;
    private volatile int version;
    private volatile ServerSocket listener;
    private volatile Thread acceptor;

    private ConfigEndpointServer(int port, ServerSocketFactory sockets) {
        this.port = port;
        this.sockets = sockets;
    }

    /** Listens on a free port, listing {@code nodes}. */
    public static ConfigEndpointServer start(MemcachedProcess... nodes) {
        return start(ServerSocketFactory.getDefault(), nodes);
    }

    /** Listens on a free port over TLS only, presenting the server certificate of {@code certificates}. */
    public static ConfigEndpointServer startTls(TestCertificates certificates, MemcachedProcess... nodes) {
        return start(certificates.serverContext().getServerSocketFactory(), nodes);
    }

    private static ConfigEndpointServer start(ServerSocketFactory sockets, MemcachedProcess... nodes) {
        ConfigEndpointServer server = new ConfigEndpointServer(FreePorts.find(), sockets);
        server.list(nodes);
        server.up();
        return server;
    }

    public int port() {
        return port;
    }

    /** {@code config:127.0.0.1:port}, the {@code memcachedNodes} attribute for this endpoint. */
    public String memcachedNodes() {
        return "config:127.0.0.1:" + port;
    }

    /** How many questions for the node list were answered, whatever the answer. */
    public int questions() {
        return questions.get();
    }

    /**
     * Lists these nodes from now on, each as {@code localhost|127.0.0.1|port}, with the next version number as
     * ElastiCache does on every change.
     */
    public void list(MemcachedProcess... nodes) {
        String body = (++version) + "\n" + List.of(nodes).stream()
                .map(node -> "localhost|127.0.0.1|" + node.port()).collect(Collectors.joining(" ")) + "\n";
        int length = body.getBytes(StandardCharsets.US_ASCII).length;
        answerWith("CONFIG cluster 0 " + length + "\r\n" + body + "\r\nEND\r\n");
        legacyAnswer = "VALUE AmazonElastiCache:cluster 0 " + length + "\r\n" + body + "\r\nEND\r\n";
    }

    /**
     * From now on answers as an engine before memcached 1.4.14: ERROR to {@code config get cluster}, the list to
     * {@code get AmazonElastiCache:cluster}.
     */
    public void answerAsLegacyEngine() {
        legacy = true;
    }

    /** Answers {@code config get cluster} with exactly this text from now on. */
    public void answerWith(String raw) {
        this.answer = raw;
    }

    /** Stops listening: connections are refused until {@link #up()}. Returns once the port is closed. */
    public synchronized void down() {
        ServerSocket open = listener;
        listener = null;
        if (open == null) {
            return;
        }
        try {
            open.close();
            acceptor.join(10_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Listens again, on the same port. */
    public synchronized void up() {
        if (listener != null) {
            return;
        }
        try {
            ServerSocket socket = sockets.createServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            listener = socket;
            acceptor = new Thread(() -> accept(socket), "config-endpoint-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port, e);
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                connection.setSoTimeout(5_000);
                serve(connection);
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return; // closed by down() or close()
                }
                // one client's broken connection (reset, or a TLS handshake it refused): the next one is served
            }
        }
    }

    /** One client at a time: memsession asks on a connection of its own, once per poll. */
    private void serve(Socket connection) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                StandardCharsets.US_ASCII));
        OutputStream out = connection.getOutputStream();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.trim().equals("config get cluster") && !legacy) {
                questions.incrementAndGet();
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
            } else if (line.trim().equals("get AmazonElastiCache:cluster") && legacy) {
                questions.incrementAndGet();
                out.write(legacyAnswer.getBytes(StandardCharsets.ISO_8859_1));
            } else {
                out.write("ERROR\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.flush();
        }
    }

    @Override
    public void close() {
        down();
    }

    @Override
    public String toString() {
        return memcachedNodes();
    }
}
