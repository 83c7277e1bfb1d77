package io.memsession.core.config;

/** One memcached server of {@code memcachedNodes}. */
public final class MemcachedNode {

    private final String id;
    private final String host;
    private final int port;

    MemcachedNode(String id, String host, int port) {
        this.id = id;
        this.host = host;
        this.port = port;
    }

    /** The node id written into session ids, or null for a single node given as {@code host:port}. */
    public String id() {
        return id;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return id == null ? address() : id + ":" + address();
    }
}
