package io.memsession.core.format;

/** A stored session that cannot be read: corrupt, planted, or written by an unknown format or serializer. */
public class UnreadableSessionException extends RuntimeException {

    public UnreadableSessionException(String message) {
        super(message);
    }

    public UnreadableSessionException(String message, Throwable cause) {
        super(message, cause);
    }
}
