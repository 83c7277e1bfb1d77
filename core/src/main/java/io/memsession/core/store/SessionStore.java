package io.memsession.core.store;

/**
 * The memcached operations memsession needs, addressed by node id (null for a single node configured as
 * {@code host:port}). Every call is bounded in time and fails fast when the node is known to be down.
 */
public interface SessionStore extends AutoCloseable {

    /** @return the stored bytes, or null when the key is absent */
    byte[] get(String nodeId, String key) throws StoreException;

    /**
     * Sends the value to memcached and returns at once, so that several writes can be under way together; the
     * caller waits for each with {@link PendingWrite#await}.
     *
     * @param ttlSeconds memcached expiration: 0 for never, up to 30 days relative, absolute Unix time above that
     */
    PendingWrite startSet(String nodeId, String key, int ttlSeconds, byte[] value) throws StoreException;

    /** Gives the key a new expiration. @return false when the key is absent */
    boolean touch(String nodeId, String key, int ttlSeconds) throws StoreException;

    /** Deletes the key; an absent key is not an error. */
    void delete(String nodeId, String key) throws StoreException;

    /** Whether the node is connected and has not just failed an operation. */
    boolean isAvailable(String nodeId);

    @Override
    void close();
}
