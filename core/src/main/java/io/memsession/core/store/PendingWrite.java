package io.memsession.core.store;

/** A write sent to memcached whose answer is still to come. */
public interface PendingWrite {

    /** Waits at most {@code timeoutMillis} for memcached to confirm the write. */
    void await(long timeoutMillis) throws StoreException;
}
