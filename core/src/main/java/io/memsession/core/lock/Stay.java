package io.memsession.core.lock;

/**
 * A non-sticky session's stay in one Tomcat: from the request that read it from memcached (or created it) until the
 * last of the parallel requests using it has ended. The requests of a stay share one in-memory session and the lock
 * the first of them took; the last one releases the lock, and the session leaves the Tomcat.
 */
public final class Stay {

    private final SessionLock lock;
    private final boolean lockTimedOut;
    private int users = 1;
    private boolean leaving;
    private boolean left;
    /** Requests on another Tomcat wait for the lock: no new request joins, so the stay ends and they get a turn. */
    private boolean closedForOthers;
    private volatile long othersCheckedAtNanos = System.nanoTime();
    /** Whether a request has joined (a session created on an application thread has none yet). */
    private volatile boolean joinedByARequest;

    /**
     * @param lock the lock taken for the stay, null when it runs without one
     * @param lockTimedOut whether the lock was wanted but not taken within {@code lockTimeout}
     */
    public Stay(SessionLock lock, boolean lockTimedOut) {
        this.lock = lock;
        this.lockTimedOut = lockTimedOut;
    }

    /** For a session created by a request: nobody else knows its id yet, so it needs no lock. */
    public static Stay forNewSession() {
        return new Stay(null, false);
    }

    /** The lock of the stay, or null. */
    public SessionLock lock() {
        return lock;
    }

    /**
     * Whether the stay runs without the lock it wanted: another Tomcat holds it, so this stay must not write (its
     * changes would race with the holder's).
     */
    public boolean lockTimedOut() {
        return lockTimedOut;
    }

    /** Another request uses the session. @return false when the stay is ending: load the session anew */
    public synchronized boolean join() {
        if (leaving || closedForOthers) {
            return false;
        }
        users++;
        return true;
    }

    /** A request using the session ended. @return whether it was the last: it ends the stay */
    public synchronized boolean leave() {
        users--;
        if (users == 0) {
            leaving = true;
            return true;
        }
        return false;
    }

    /** A request joined the stay, or began it. */
    public void joinedByARequest() {
        joinedByARequest = true;
    }

    /** Whether a request has joined the stay: a session created on an application thread has none yet. */
    public boolean isJoinedByARequest() {
        return joinedByARequest;
    }

    /** Whether it is time to look again whether other Tomcats wait for the lock; if so, the clock restarts. */
    public boolean othersCheckDue(long intervalNanos) {
        long now = System.nanoTime();
        if (now - othersCheckedAtNanos < intervalNanos) {
            return false;
        }
        othersCheckedAtNanos = now;
        return true;
    }

    public synchronized void closeForOthers() {
        closedForOthers = true;
    }

    /** Whether the stay ended to give requests on another Tomcat their turn with the lock. */
    public synchronized boolean isClosedForOthers() {
        return closedForOthers;
    }

    /** The last request wrote the session and released the lock: the session is no longer in this Tomcat. */
    public synchronized void ended() {
        left = true;
        notifyAll();
    }

    /** Waits until an ending stay has ended, so that a request reading the session anew sees its last write. */
    public synchronized void awaitEnd() {
        boolean interrupted = false;
        while (!left) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
