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
    private final long writeNumber;
    private final int maxInactiveInterval;
    private final boolean isNew;
    private final String authType;
    private final byte[] principal;
    private final String serializerId;
    private final byte[] attributes;

    /**
     * @param writeNumber the number of this write of the session: one more than the stored form it was read from,
     *        1 for a new session's first write, 0 for what memsession did not write (memcached-session-manager's)
     */
    public StoredSession(String id, long creationTime, long lastAccessedTime, long thisAccessedTime,
                         long writeNumber, int maxInactiveInterval, boolean isNew, String authType, byte[] principal,
                         String serializerId, byte[] attributes) {
        this.id = id;
        this.creationTime = creationTime;
        this.lastAccessedTime = lastAccessedTime;
        this.thisAccessedTime = thisAccessedTime;
        this.writeNumber = writeNumber;
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

    public long writeNumber() {
        return writeNumber;
    }

    /**
     * Whether this stored form was written after {@code other}, another stored form of the same session (under
     * another id, on another node): used later, or within the same millisecond by a later write. Two requests one
     * after the other can fall in one millisecond, so the access time alone cannot order them; and the write number
     * alone cannot order forms that went separate ways (one restored from a backup copy behind the other), where the
     * one used last is the one its user saw last.
     */
    public boolean isNewerThan(StoredSession other) {
        return thisAccessedTime != other.thisAccessedTime ? thisAccessedTime > other.thisAccessedTime
                : writeNumber > other.writeNumber;
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
