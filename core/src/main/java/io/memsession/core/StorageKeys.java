package io.memsession.core;

/** Where a session lives: the node its id names, and its key there (the storage key prefix plus the id). */
final class StorageKeys {

    private final String prefix;
    private final boolean encodesNodeIds;

    public StorageKeys(String prefix, boolean encodesNodeIds) {
        this.prefix = prefix;
        this.encodesNodeIds = encodesNodeIds;
    }

    public String key(String sessionId) {
        return prefix.concat(sessionId);
    }

    /** The key of a non-sticky session's lock, on the session's node. */
    public String lockKey(String sessionId) {
        return "lock:" + prefix + sessionId;
    }

    /** The key by which requests on other Tomcats say they wait for a non-sticky session's lock. */
    public String lockWaitKey(String sessionId) {
        return "lockwait:" + prefix + sessionId;
    }

    /** The key of a non-sticky session's backup copy, on the node after the session's. */
    public String backupKey(String sessionId) {
        return "bak:" + prefix + sessionId;
    }

    /**
     * The key of the access times memcached-session-manager kept beside a non-sticky session it wrote (on the
     * session's node), or, for its backup copy, beside the copy (on the copy's node).
     */
    public String msmValidityKey(String sessionId, boolean ofBackupCopy) {
        String validity = "validity:" + prefix + sessionId;
        return ofBackupCopy ? "bak:" + prefix + validity : validity;
    }

    /**
     * The node id of the session's node, or null when the configuration is a single {@code host:port}.
     *
     * @throws IllegalArgumentException when node ids are in use and the id names none: such a session has no node
     */
    public String nodeId(String sessionId) {
        if (!encodesNodeIds) {
            return null;
        }
        SessionId parsed = SessionId.parse(sessionId);
        if (parsed == null || parsed.nodeId() == null) {
            throw new IllegalArgumentException("session id " + sessionId + " names no memcached node");
        }
        return parsed.nodeId();
    }

    /**
     * Whether the id names a node (always true without node ids). Asked after every request about ids memsession
     * made itself, so it looks for the node's {@code -} before the route's {@code .} without a full parse.
     */
    public boolean hasNode(String sessionId) {
        if (!encodesNodeIds) {
            return true;
        }
        int dash = sessionId.indexOf('-');
        int dot = sessionId.indexOf('.');
        return dash > 0 && (dot < 0 || dash < dot);
    }

    public String prefix() {
        return prefix;
    }
}
