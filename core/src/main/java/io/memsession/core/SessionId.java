package io.memsession.core;

/**
 * A session id as memsession writes it: {@code <base>-<nodeId>[.<jvmRoute>]}, where {@code base} is Tomcat's
 * generated id, {@code nodeId} names the memcached node holding the session and {@code jvmRoute} the Tomcat it
 * lives on. The node part is absent when the configuration is a single {@code host:port} or when no node was up.
 *
 * <p>Ids come from clients, so {@link #parse} accepts only what memsession can have generated: anything else is
 * never looked up in memcached and costs the client a new session.
 */
final class SessionId {

    /** Longer ids are refused: with a key prefix they must still fit memcached's 250-byte keys. */
    static final int MAX_LENGTH = 160;

    private final String base;
    private final String nodeId;
    private final String jvmRoute;

    private SessionId(String base, String nodeId, String jvmRoute) {
        this.base = base;
        this.nodeId = nodeId;
        this.jvmRoute = jvmRoute;
    }

    /**
     * Parses an id; returns null when it is malformed. The node id runs from the first {@code -} to the first
     * {@code .} after it; the rest after that {@code .} is the jvmRoute, which may itself contain {@code -} and
     * {@code .}.
     */
    public static SessionId parse(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return null;
        }
        int dash = -1;
        int dot = -1;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c == '.') {
                dot = i;
                break;
            }
            if (c == '-' && dash < 0) {
                dash = i;
            }
        }
        int baseEnd = dash >= 0 ? dash : (dot >= 0 ? dot : id.length());
        String base = id.substring(0, baseEnd);
        String nodeId = dash >= 0 ? id.substring(dash + 1, dot >= 0 ? dot : id.length()) : null;
        String route = dot >= 0 ? id.substring(dot + 1) : null;
        if (!isBase(base) || (nodeId != null && !isNodeId(nodeId)) || (route != null && !isRoute(route))) {
            return null;
        }
        return new SessionId(base, nodeId, route);
    }

    /** Builds an id from Tomcat's generated id (which may end in {@code .jvmRoute}) and a node id (may be null). */
    public static SessionId fromTomcatId(String tomcatId, String nodeId) {
        SessionId parsed = parse(tomcatId);
        if (parsed == null || parsed.nodeId != null) {
            throw new IllegalArgumentException("Tomcat generated the session id '" + tomcatId
                    + "', which memsession cannot use; ids must not contain '-' before their '.jvmRoute' part");
        }
        return parsed.withNodeId(nodeId);
    }

    public String base() {
        return base;
    }

    /** The memcached node's id, or null. */
    public String nodeId() {
        return nodeId;
    }

    /** The Tomcat's jvmRoute, or null. */
    public String jvmRoute() {
        return jvmRoute;
    }

    public SessionId withNodeId(String newNodeId) {
        return new SessionId(base, newNodeId, jvmRoute);
    }

    public SessionId withJvmRoute(String newJvmRoute) {
        return new SessionId(base, nodeId, newJvmRoute == null || newJvmRoute.isEmpty() ? null : newJvmRoute);
    }

    @Override
    public String toString() {
        StringBuilder id = new StringBuilder(base.length() + 24).append(base);
        if (nodeId != null) {
            id.append('-').append(nodeId);
        }
        if (jvmRoute != null) {
            id.append('.').append(jvmRoute);
        }
        return id.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SessionId && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    /** Tomcat's generators write hex or base64-like text; nothing that could change a memcached key's meaning. */
    private static boolean isBase(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(isAsciiLetterOrDigit(c) || c == '_' || c == '+' || c == '/' || c == '=' || c == '*' || c == '!'
                    || c == '~')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNodeId(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(isAsciiLetterOrDigit(c) || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isRoute(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(isAsciiLetterOrDigit(c) || c == '_' || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }
}
