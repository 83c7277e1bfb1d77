package io.memsession.core.format;

/**
 * A stored value that is not in memsession's own format: a session memcached-session-manager wrote that cannot or
 * may not be imported, or anything else. It is never deleted, so a rollback to what wrote it finds it again.
 */
public final class ForeignSessionException extends UnreadableSessionException {

    private final String kind;

    /**
     * @param kind what wrote it and why it is not read, the same for every value of its kind: it is logged once
     *        per kind
     */
    public ForeignSessionException(String kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ForeignSessionException(String kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }
}
