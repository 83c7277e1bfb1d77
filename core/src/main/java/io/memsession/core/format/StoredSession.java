package io.memsession.core.format;

/**
 * The fields of a session as memsession stores them: Tomcat's session fields, the principal in its serialized
 * form, and the serialized attributes together with the id of the serializer that wrote them.
 */
public final class StoredSession {

    private final String id;
    private final long creationTime;
    private final long lastAccessedTime;
    private final long thisAccessedTime;
    private final int maxInactiveInterval;
    private final boolean isNew;
    private final String authType;
    private final byte[] principal;
    private final String serializerId;
    private final byte[] attributes;

    public StoredSession(String id, long creationTime, long lastAccessedTime, long thisAccessedTime,
                         int maxInactiveInterval, boolean isNew, String authType, byte[] principal,
                         String serializerId, byte[] attributes) {
        this.id = id;
        this.creationTime = creationTime;
        this.lastAccessedTime = lastAccessedTime;
        this.thisAccessedTime = thisAccessedTime;
        this.maxInactiveInterval = maxInactiveInterval;
        this.isNew = isNew;
        this.authType = authType;
        this.principal = principal;
        this.serializerId = serializerId;
        this.attributes = attributes;
    }

    public String id() {
        return id;
    }

    public long creationTime() {
        return creationTime;
    }

    public long lastAccessedTime() {
        return lastAccessedTime;
    }

    public long thisAccessedTime() {
        return thisAccessedTime;
    }

    /** Seconds; zero or less means the session never expires. */
    public int maxInactiveInterval() {
        return maxInactiveInterval;
    }

    public boolean isNew() {
        return isNew;
    }

    /** Null when the session carries no authentication. */
    public String authType() {
        return authType;
    }

    /** The Java-serialized principal, or null. */
    public byte[] principal() {
        return principal;
    }

    public String serializerId() {
        return serializerId;
    }

    public byte[] attributes() {
        return attributes;
    }
}
