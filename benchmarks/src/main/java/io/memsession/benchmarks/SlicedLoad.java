package io.memsession.benchmarks;

import java.time.Duration;

/**
 * Closed-loop load on one Tomcat that runs only during its slices: its threads wait, with their connections and
 * sessions, while the other Tomcats of an interleaved run get theirs.
 */
interface SlicedLoad {

    /** Sends requests for {@code duration}, then pauses; returns what the slice did. */
    Slice run(Duration duration) throws InterruptedException;

    /** Ends the load; its threads are gone when this returns. */
    void stop() throws InterruptedException;

    /** Requests that failed so far, the sessions' creation included. */
    long errors();

    /**
     * Once stopped: requests every session once more from the Tomcat on {@code port} (a fresh one, against the
     * same memcached) and counts the updates its answers do not show.
     */
    LostUpdates lostUpdatesOn(int port);
}
