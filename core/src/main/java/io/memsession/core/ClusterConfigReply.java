package io.memsession.core;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.memsession.core.config.MemcachedNode;

/**
 * A configuration endpoint's answer to {@code config get cluster} (or, from older ElastiCache engines, to
 * {@code get AmazonElastiCache:cluster}): a version, then the nodes as {@code host|ip|port} separated by spaces.
 *
 * <pre>
 * CONFIG cluster 0 &lt;bytes&gt;\r\n
 * &lt;version&gt;\n
 * &lt;host&gt;|&lt;ip&gt;|&lt;port&gt; &lt;host&gt;|&lt;ip&gt;|&lt;port&gt;...\n
 * \r\n
 * END\r\n
 * </pre>
 *
 * <p>The endpoint decides where every session goes, so whoever answers in its place (or a clumsy operator) must not
 * be able to do more than a wrong list: an answer is read up to a bounded size, every field is checked, and one
 * that is not exactly of this form is refused as a whole, never used in part.
 */
final class ClusterConfigReply {

    /** ElastiCache's largest clusters list a few hundred nodes of about 100 bytes each. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_NODES = 500;
    private static final int MAX_LINE = 256;
    private static final Pattern HEADER = Pattern.compile(
            "(?:CONFIG cluster|VALUE AmazonElastiCache:cluster) \\d{1,10} (\\d{1,9})");
    private static final Pattern VERSION = Pattern.compile("\\d{1,18}");
    private static final Pattern ENTRY = Pattern.compile(
            "([A-Za-z0-9_.-]{0,253})\\|([0-9A-Fa-f:.]{0,45})\\|(\\d{1,5})");
    private static final byte[] TRAILER = "\r\nEND\r\n".getBytes(StandardCharsets.US_ASCII);

    private final long version;
    private final List<MemcachedNode> nodes;

    private ClusterConfigReply(long version, List<MemcachedNode> nodes) {
        this.version = version;
        this.nodes = Collections.unmodifiableList(nodes);
    }

    /**
     * Reads one answer from {@code in}.
     *
     * @return null when the endpoint has no cluster configuration for the command asked: {@code ERROR} (it does
     *         not know the command) or a bare {@code END} (it has no such key)
     * @throws IOException when the answer is malformed, too large or cut short
     */
    static ClusterConfigReply read(InputStream in) throws IOException {
        String header = readLine(in);
        if (header.equals("ERROR") || header.equals("END")) {
            return null;
        }
        Matcher m = HEADER.matcher(header);
        if (!m.matches()) {
            throw new IOException("not a cluster configuration: " + quoted(header));
        }
        int length = Integer.parseInt(m.group(1));
        if (length > MAX_BODY_BYTES) {
            throw new IOException("a cluster configuration of " + length + " bytes, more than the "
                    + MAX_BODY_BYTES + " accepted");
        }
        byte[] body = readFully(in, length);
        byte[] trailer = readFully(in, TRAILER.length);
        for (int i = 0; i < TRAILER.length; i++) {
            if (trailer[i] != TRAILER[i]) {
                throw new IOException("the cluster configuration does not end in END after its " + length
                        + " bytes");
            }
        }
        return parse(new String(body, StandardCharsets.US_ASCII));
    }

    /** The body: version and node lines. */
    static ClusterConfigReply parse(String body) throws IOException {
        String[] lines = body.split("\n", -1);
        // "<version>\n<nodes>\n", the final newline left out by some endpoints
        if (lines.length < 2 || lines.length > 3 || lines.length == 3 && !lines[2].isEmpty()) {
            throw new IOException("a cluster configuration is a version line and a node line, not "
                    + quoted(body));
        }
        String versionLine = lines[0].trim();
        if (!VERSION.matcher(versionLine).matches()) {
            throw new IOException("the cluster configuration's version is not a number: " + quoted(versionLine));
        }
        String[] entries = lines[1].trim().split(" +");
        if (entries.length == 1 && entries[0].isEmpty()) {
            throw new IOException("the cluster configuration lists no node");
        }
        if (entries.length > MAX_NODES) {
            throw new IOException("the cluster configuration lists " + entries.length + " nodes, more than the "
                    + MAX_NODES + " accepted");
        }
        List<MemcachedNode> nodes = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String entry : entries) {
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) {
                throw new IOException("not a node (host|ip|port): " + quoted(entry));
            }
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw new IOException("port out of range in " + quoted(entry));
            }
            MemcachedNode node = MemcachedNode.discovered(m.group(1), m.group(2), port);
            if (!ids.add(node.id())) {
                throw new IOException("two nodes with the id " + node.id() + " (the same host and port, or a "
                        + "collision of their ids): " + quoted(lines[1]));
            }
            nodes.add(node);
        }
        return new ClusterConfigReply(Long.parseLong(versionLine), nodes);
    }

    long version() {
        return version;
    }

    /** The nodes, in the order listed. */
    List<MemcachedNode> nodes() {
        return nodes;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i < MAX_LINE; i++) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the answer ends before its first line does");
            }
            if (b == '\n') {
                String text = new String(line.toByteArray(), StandardCharsets.US_ASCII);
                if (!text.endsWith("\r")) {
                    throw new IOException("a line not ended by \\r\\n: " + quoted(text));
                }
                return text.substring(0, text.length() - 1);
            }
            line.write(b);
        }
        throw new IOException("a first line longer than " + MAX_LINE + " bytes");
    }

    private static byte[] readFully(InputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        int read = 0;
        while (read < length) {
            int n = in.read(bytes, read, length - read);
            if (n < 0) {
                throw new EOFException("the answer ends after " + read + " of " + length + " announced bytes");
            }
            read += n;
        }
        return bytes;
    }

    /** Text from the wire, shortened and with control characters shown, for a log line. */
    private static String quoted(String text) {
        StringBuilder shown = new StringBuilder("'");
        for (int i = 0; i < text.length() && i < 120; i++) {
            char c = text.charAt(i);
            shown.append(c < 0x20 || c > 0x7e ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return shown.append(text.length() > 120 ? "...'" : "'").toString();
    }
}
