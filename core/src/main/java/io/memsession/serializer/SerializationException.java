package io.memsession.serializer;

/** Stored session attributes that cannot be read back. */
public class SerializationException extends RuntimeException {

    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }

    public SerializationException(String message) {
        super(message);
    }
}
