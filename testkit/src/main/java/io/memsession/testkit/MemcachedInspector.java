package io.memsession.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately independent memcached client, speaking the text protocol over a plain socket, so tests can check
 * what the session manager really stored without trusting the client library it uses. Not thread-safe.
 */
public final class MemcachedInspector implements AutoCloseable {

    private static final int TIMEOUT_MILLIS = 5_000;
    private static final Duration CRAWLER_BUSY_TIMEOUT = Duration.ofSeconds(5);

    private final String host;
    private final int port;
    private Connection connection;

    public MemcachedInspector(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public static MemcachedInspector connect(MemcachedProcess memcached) {
        return new MemcachedInspector(memcached.host(), memcached.port());
    }

    /** The output of the "stats" command, name to value. */
    public Map<String, String> stats() {
        return call(connection -> {
            connection.send("stats\r\n");
            Map<String, String> stats = new LinkedHashMap<>();
            for (String line = connection.readLine(); !line.equals("END"); line = connection.readLine()) {
                String[] parts = line.split(" ", 3);
                if (parts.length != 3 || !parts[0].equals("STAT")) {
                    throw unexpected("stats", line);
                }
                stats.put(parts[1], parts[2]);
            }
            return stats;
        });
    }

    /** One numeric statistic, such as "cmd_set", "get_hits", "curr_items", "cmd_touch" or "delete_hits". */
    public long stat(String name) {
        String value = stats().get(name);
        if (value == null) {
            throw new IllegalArgumentException("memcached has no statistic named " + name);
        }
        return Long.parseLong(value);
    }

    /** The stored value, or null on a miss. */
    public byte[] get(String key) {
        return call(connection -> {
            connection.send("get " + key + "\r\n");
            String line = connection.readLine();
            if (line.equals("END")) {
                return null;
            }
            if (!line.startsWith("VALUE ")) {
                throw unexpected("get " + key, line);
            }
            byte[] value = connection.readBytes(Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1)));
            connection.readLine();
            String end = connection.readLine();
            if (!end.equals("END")) {
                throw unexpected("get " + key, end);
            }
            return value;
        });
    }

    /** Stores {@code value} with flags 0; a {@code ttlSeconds} of 0 means no expiry. */
    public void set(String key, byte[] value, int ttlSeconds) {
        call(connection -> {
            connection.send("set " + key + " 0 " + ttlSeconds + " " + value.length + "\r\n", value);
            return expect(connection, "set " + key, "STORED");
        });
    }

    /** Whether the key existed. */
    public boolean delete(String key) {
        return call(connection -> {
            connection.send("delete " + key + "\r\n");
            String line = connection.readLine();
            if (!line.equals("DELETED") && !line.equals("NOT_FOUND")) {
                throw unexpected("delete " + key, line);
            }
            return line.equals("DELETED");
        });
    }

    public void flushAll() {
        call(connection -> {
            connection.send("flush_all\r\n");
            return expect(connection, "flush_all", "OK");
        });
    }

    /** Sets the statistics counters ({@code cmd_get}, {@code cmd_set}, ...) back to zero. */
    public void resetStats() {
        call(connection -> {
            connection.send("stats reset\r\n");
            return expect(connection, "stats reset", "RESET");
        });
    }

    /** The keys currently stored, in the LRU crawler's order. Expired and flushed items are not included. */
    public List<String> keys() {
        return new ArrayList<>(expirations().keySet());
    }

    /**
     * Every stored key with its expiry as memcached reports it: absolute unix time in seconds by the server's own
     * clock (the "time" statistic), or -1 for items that never expire.
     */
    public Map<String, Long> expirations() {
        Map<String, Long> dump = Poll.await(CRAWLER_BUSY_TIMEOUT, () -> call(MemcachedInspector::metadump));
        if (dump == null) {
            throw new IllegalStateException("memcached's LRU crawler stayed busy for "
                    + CRAWLER_BUSY_TIMEOUT.toSeconds() + " s");
        }
        return dump;
    }

    @Override
    public void close() {
        disconnect();
    }

    /** Null when the crawler is still busy with an earlier request, which it reports instead of queueing. */
    private static Map<String, Long> metadump(Connection connection) throws IOException {
        connection.send("lru_crawler metadump all\r\n");
        Map<String, Long> expirations = new LinkedHashMap<>();
        for (String line = connection.readLine(); !line.equals("END"); line = connection.readLine()) {
            if (line.startsWith("BUSY")) {
                return null;
            }
            String key = null;
            Long exp = null;
            for (String field : line.split(" ")) {
                if (field.startsWith("key=")) {
                    key = URLDecoder.decode(field.substring(4), StandardCharsets.UTF_8);
                } else if (field.startsWith("exp=")) {
                    exp = Long.parseLong(field.substring(4));
                }
            }
            if (key == null || exp == null) {
                throw unexpected("lru_crawler metadump all", line);
            }
            expirations.put(key, exp);
        }
        return expirations;
    }

    private static Void expect(Connection connection, String command, String reply) throws IOException {
        String line = connection.readLine();
        if (!line.equals(reply)) {
            throw unexpected(command, line);
        }
        return null;
    }

    private static IllegalStateException unexpected(String command, String line) {
        return new IllegalStateException("unexpected memcached reply to \"" + command + "\": " + line);
    }

    private <T> T call(Exchange<T> exchange) {
        try {
            return attempt(exchange);
        } catch (IOException staleConnection) {
            // After a memcached restart the old socket is dead, but that is only discovered on first use.
            try {
                return attempt(exchange);
            } catch (IOException e) {
                throw new UncheckedIOException("memcached " + host + ":" + port + " failed: " + e.getMessage(), e);
            }
        }
    }

    private <T> T attempt(Exchange<T> exchange) throws IOException {
        try {
            return exchange.run(connection());
        } catch (IOException | RuntimeException e) {
            // A reply may be left half read; only a fresh connection is in a known state.
            disconnect();
            throw e;
        }
    }

    private Connection connection() throws IOException {
        if (connection == null) {
            connection = new Connection(host, port);
        }
        return connection;
    }

    private void disconnect() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    @FunctionalInterface
    private interface Exchange<T> {
        T run(Connection connection) throws IOException;
    }

    private static final class Connection {

        private static final byte[] CRLF = {'\r', '\n'};

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            try {
                socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
                socket.setSoTimeout(TIMEOUT_MILLIS);
                in = new BufferedInputStream(socket.getInputStream());
                out = new BufferedOutputStream(socket.getOutputStream());
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        void send(String command) throws IOException {
            out.write(command.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void send(String command, byte[] data) throws IOException {
            out.write(command.getBytes(StandardCharsets.UTF_8));
            out.write(data);
            out.write(CRLF);
            out.flush();
        }

        /** Metadump terminates its item lines with a bare LF, everything else uses CRLF; both are accepted. */
        String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("memcached closed the connection");
                }
                line.write(b);
            }
            String text = line.toString(StandardCharsets.UTF_8);
            return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
        }

        byte[] readBytes(int length) throws IOException {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length < length) {
                throw new EOFException("memcached closed the connection mid-value");
            }
            return bytes;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Nothing useful can be done about a failing close of a connection being discarded.
            }
        }
    }
}
