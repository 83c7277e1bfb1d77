package io.memsession.benchmarks;

import java.util.List;

/**
 * Where one configuration's Tomcat keeps its sessions, started for that configuration alone: memcached nodes (for
 * memsession and msm) or a Redis server (for Redisson), so its CPU time and commands are its own.
 */
interface SessionStore extends AutoCloseable {

    /** The store's processes, to read their CPU time. */
    List<Long> pids();

    /** Every command the store executed so far, by kind. */
    StoreCommands commands();

    /**
     * A count that grows with every write the store receives and with nothing the benchmark or an idle client
     * sends: once the load has stopped and it stands still, a peer's writes have all arrived.
     */
    long writes();

    /**
     * Items the store dropped for room so far (memcached's {@code evictions}, Redis's {@code evicted_keys}): a
     * session lost that way is lost to the store's size, not to the session manager.
     */
    long evictions();

    @Override
    void close();
}
