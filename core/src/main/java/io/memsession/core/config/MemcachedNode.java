package io.memsession.core.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** One memcached server of {@code memcachedNodes}, or one a configuration endpoint lists. */
public final class MemcachedNode {

    /** Hex digits of a discovered node's id: 32 bits, so two of a few hundred nodes share one once in 10^5. */
    private static final int DISCOVERED_ID_LENGTH = 8;

    private final String id;
    private final String host;
    /** The address a configuration endpoint gave with the host name; null when the host is to be resolved. */
    private final String ip;
    private final int port;

    MemcachedNode(String id, String host, String ip, int port) {
        this.id = id;
        this.host = host;
        this.ip = ip;
        this.port = port;
    }

    /**
     * A node a configuration endpoint lists. Its id is derived from its host name (its address when the endpoint
     * names none) and port alone, so that every Tomcat gives it the same id without asking the others, and the id
     * stays when other nodes come or go, or when its address changes: the first {@value #DISCOVERED_ID_LENGTH} hex
     * digits of the SHA-256 of {@code host:port}, the host in lower case.
     */
    public static MemcachedNode discovered(String host, String ip, int port) {
        String named = host.isEmpty() ? ip : host;
        return new MemcachedNode(discoveredId(named, port), named, ip.isEmpty() ? null : ip, port);
    }

    static String discoveredId(String host, int port) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((host.toLowerCase(Locale.ROOT) + ":" + port).getBytes(StandardCharsets.UTF_8));
            StringBuilder id = new StringBuilder(DISCOVERED_ID_LENGTH);
            for (int i = 0; id.length() < DISCOVERED_ID_LENGTH; i++) {
                id.append(Character.forDigit((digest[i] >> 4) & 0xf, 16)).append(Character.forDigit(digest[i] & 0xf, 16));
            }
            return id.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The node id written into session ids, or null for a single node given as {@code host:port}. */
    public String id() {
        return id;
    }

    public String host() {
        return host;
    }

    /** The address to connect to: the one the configuration endpoint gave, else the host name. */
    public String connectHost() {
        return ip != null ? ip : host;
    }

    /** Whether connecting goes through a host name, whose address may change while memsession runs. */
    public boolean isResolved() {
        return ip == null && !isAddressLiteral(host);
    }

    private static boolean isAddressLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    public int port() {
        return port;
    }

    public String address() {
        return host + ":" + port;
    }

    /** Whether a client of this node reaches {@code other} too: the same id, host, address and port. */
    public boolean sameAs(MemcachedNode other) {
        return other != null && String.valueOf(id).equals(String.valueOf(other.id)) && host.equals(other.host)
                && String.valueOf(ip).equals(String.valueOf(other.ip)) && port == other.port;
    }

    @Override
    public String toString() {
        String where = ip == null ? address() : host + "|" + ip + ":" + port;
        return id == null ? where : id + ":" + where;
    }
}
