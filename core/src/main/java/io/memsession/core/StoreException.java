package io.memsession.core;

/** A memcached operation that failed: node down, timeout, or refused by the server. */
class StoreException extends Exception {

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
