package io.memsession.core;

/**
 * A store operation sent to memcached whose answer is still to come. Operations sent one after the other to the
 * same node are answered in that order, so a request can send several and wait once.
 */
interface Pending<T> {

    /** Waits at most {@code timeoutMillis} for the answer. */
    T await(long timeoutMillis) throws StoreException;
}
