package io.memsession.core;

import io.memsession.core.config.MemcachedNodes;

/**
 * The memcached operations memsession needs, addressed by node id (null for a single node configured as
 * {@code host:port}). Every call is bounded in time and fails fast when the node is known to be down. The
 * {@code start} operations return at once, so that several can be under way together.
 */
interface SessionStore extends AutoCloseable {

    /** @return the stored bytes, or null when the key is absent */
    byte[] get(String nodeId, String key) throws StoreException;

    /** Reads the value with its version; the answer is null when the key is absent. */
    Pending<Versioned> startGets(String nodeId, String key) throws StoreException;

    /**
     * Stores the value; the answer is true, and waiting for it fails when memcached refuses the value (too large).
     *
     * @param ttlSeconds memcached expiration: 0 for never, up to 30 days relative, absolute Unix time above that
     */
    Pending<Boolean> startSet(String nodeId, String key, int ttlSeconds, byte[] value) throws StoreException;

    /** Stores the value only if the key is absent; the answer says whether it was stored. */
    Pending<Boolean> startAdd(String nodeId, String key, int ttlSeconds, byte[] value) throws StoreException;

    /**
     * Stores the value only if the stored one still has the version {@code cas}; the answer says whether it was
     * stored (false when another write came first or the key is gone).
     */
    Pending<Boolean> startCas(String nodeId, String key, long cas, int ttlSeconds, byte[] value)
            throws StoreException;

    /** Gives the key a new expiration; the answer is false when the key is absent. */
    Pending<Boolean> startTouch(String nodeId, String key, int ttlSeconds) throws StoreException;

    /** Deletes the key; the answer is false when it was absent. */
    Pending<Boolean> startDelete(String nodeId, String key) throws StoreException;

    /** Gives the key a new expiration, waiting up to the operation timeout. @return false when it is absent */
    boolean touch(String nodeId, String key, int ttlSeconds) throws StoreException;

    /** Deletes the key, waiting up to the operation timeout; an absent key is not an error. */
    void delete(String nodeId, String key) throws StoreException;

    /**
     * The nodes now: those configured, or those a configuration endpoint listed lately (with those it listed
     * before, as nodes down for good). One immutable object, replaced as a whole when the nodes change.
     */
    MemcachedNodes nodes();

    /** Whether the node is connected and has not just failed an operation. */
    boolean isAvailable(String nodeId);

    @Override
    void close();
}
