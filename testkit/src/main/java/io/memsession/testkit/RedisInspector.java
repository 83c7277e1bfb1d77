package io.memsession.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a Redis server's statistics over a plain socket of its own, independent of the client under measurement:
 * a connection per call, so a restarted or killed server leaves nothing stale behind.
 */
public final class RedisInspector {

    private static final int TIMEOUT_MILLIS = 5_000;
    private static final String COMMAND_PREFIX = "cmdstat_";

    private final int port;

    private RedisInspector(int port) {
        this.port = port;
    }

    public static RedisInspector of(RedisProcess redis) {
        return new RedisInspector(redis.port());
    }

    /**
     * The calls of every command the server has executed since it started, by lower-case name (subcommands as
     * {@code name|sub}), from {@code INFO commandstats}. A command counts once it has run, so this call's own
     * {@code info} shows in the next one.
     */
    public Map<String, Long> commandCalls() {
        Map<String, Long> calls = new LinkedHashMap<>();
        for (String line : info("commandstats").split("\r\n")) {
            // cmdstat_hset:calls=3,usec=12,usec_per_call=4.00,rejected_calls=0,failed_calls=0
            int colon = line.indexOf(':');
            if (!line.startsWith(COMMAND_PREFIX) || colon < 0) {
                continue; // the section's title line, "# Commandstats"
            }
            String fields = line.substring(colon + 1);
            if (!fields.startsWith("calls=")) {
                throw new IllegalStateException("unexpected INFO commandstats line from Redis: " + line);
            }
            int comma = fields.indexOf(',');
            calls.put(line.substring(COMMAND_PREFIX.length(), colon),
                    Long.parseLong(fields.substring("calls=".length(), comma < 0 ? fields.length() : comma)));
        }
        return calls;
    }

    /**
     * What the server has read from its connections since it started ({@code total_net_input_bytes} of
     * {@code INFO stats}): every command and the values written, this inspector's own few bytes included.
     */
    public long bytesReceived() {
        return stat("total_net_input_bytes");
    }

    /** Keys the server dropped for room since it started ({@code evicted_keys} of {@code INFO stats}). */
    public long evictedKeys() {
        return stat("evicted_keys");
    }

    private long stat(String statistic) {
        String name = statistic + ":";
        for (String line : info("stats").split("\r\n")) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()));
            }
        }
        throw new IllegalStateException("Redis's INFO stats has no " + statistic);
    }

    /** One section of {@code INFO}, as Redis writes it: CRLF-separated {@code name:value} lines. */
    private String info(String section) {
        try (Socket socket = new Socket()) {
            socket.connect(Loopback.address(port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            // an inline command: one line of words, which every Redis version accepts
            socket.getOutputStream().write(("INFO " + section + "\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String header = readLine(in);
            if (!header.startsWith("$")) {
                throw new IllegalStateException("unexpected reply from Redis to INFO " + section + ": " + header);
            }
            return new String(in.readNBytes(Integer.parseInt(header.substring(1))), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Redis on port " + port + " failed: " + e.getMessage(), e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("Redis closed the connection");
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }
}
