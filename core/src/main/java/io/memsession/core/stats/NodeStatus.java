package io.memsession.core.stats;

/** One memcached node of a running Manager, as monitoring shows it: whether memsession can reach it now. */
public final class NodeStatus {

    private final String id;
    private final String address;
    private final boolean failover;
    private final boolean up;

    public NodeStatus(String id, String address, boolean failover, boolean up) {
        this.id = id;
        this.address = address;
        this.failover = failover;
        this.up = up;
    }

    /** The node id of {@code memcachedNodes}, or null for a single node given as {@code host:port}. */
    public String id() {
        return id;
    }

    /** {@code host:port}. */
    public String address() {
        return address;
    }

    /** Whether it is one of {@code failoverNodes}, used only when no other node is up. */
    public boolean isFailover() {
        return failover;
    }

    public boolean isUp() {
        return up;
    }

    @Override
    public String toString() {
        return (id == null ? address : id + ":" + address) + (up ? " up" : " down");
    }
}
