package io.memsession.core;

import java.nio.charset.StandardCharsets;

/**
 * A lease on one session's lock key: held from a successful {@code add} of the owner's token until released or
 * until memcached expires it. Only the owner releases it, and the owner renews it while its requests run.
 */
final class SessionLock {

    final String nodeId;
    final String key;
    /** Set by Tomcats waiting for the lock, so that its holder lets them have a turn. */
    final String waitKey;
    final byte[] token;
    /** Until when this Tomcat knows nobody else can hold the lock (epoch ms); written by one thread at a time. */
    volatile long leaseValidUntilMillis;
    volatile boolean released;

    SessionLock(String nodeId, String key, String waitKey, String token) {
        this.nodeId = nodeId;
        this.key = key;
        this.waitKey = waitKey;
        this.token = token.getBytes(StandardCharsets.US_ASCII);
    }

    /** Whether the lease is certainly still ours. */
    boolean isCertainlyHeld(long nowMillis) {
        return nowMillis < leaseValidUntilMillis;
    }

    @Override
    public String toString() {
        return key + " (owner " + new String(token, StandardCharsets.US_ASCII) + ")";
    }
}
