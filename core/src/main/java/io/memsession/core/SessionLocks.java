package io.memsession.core;

import java.util.Arrays;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.stats.Statistics;

/**
 * Session locks for non-sticky mode, kept in memcached next to the session ({@code lock:<key>}) so that every
 * Tomcat sees them. A lock is a lease: taken with {@code add} and the owner's token as value, so it exists once;
 * renewed while held, so a long request keeps it; released by its owner only.
 *
 * <p>memcached expires items on whole seconds, so a lease of {@code n} seconds may end up to a second early: this
 * Tomcat counts on it for {@code n - 1} seconds after sending the {@code add} or renewal. Within that time a plain
 * {@code delete} releases it; after that (a renewal failed) the token is checked first, so an expired lease never
 * removes somebody else's lock.
 */
final class SessionLocks implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SessionLocks.class.getName());
    private static final long FIRST_RETRY_MILLIS = 1;
    private static final long MAX_RETRY_MILLIS = 16;
    /** How long a waiting Tomcat's mark lives unless renewed: a Tomcat that stopped waiting leaves no trace. */
    private static final int WAIT_MARK_SECONDS = 2;
    private static final long MARK_RENEWAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final byte[] WAIT_MARK = {1};
    /** memcached's expiration of a negative number of seconds: the item is gone at once. */
    private static final int EXPIRE_NOW = -1;

    private final SessionStore store;
    private final Statistics statistics;
    private final int leaseSeconds;
    private final long operationTimeoutMillis;
    private final String ownerPrefix = UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong ownerCounter = new AtomicLong();
    private final Set<SessionLock> held = ConcurrentHashMap.newKeySet();
    private final PeriodicTask renewer;

    public SessionLocks(SessionStore store, Statistics statistics, int leaseSeconds, long operationTimeoutMillis,
                        String threadName) {
        this.store = store;
        this.statistics = statistics;
        this.leaseSeconds = leaseSeconds;
        this.operationTimeoutMillis = operationTimeoutMillis;
        this.renewer = PeriodicTask.start(threadName, TimeUnit.SECONDS.toMillis(leaseSeconds) / 3, this::renewAll);
    }

    /** A lock not yet taken, with a token of its own. */
    public SessionLock newLock(String nodeId, String lockKey, String waitKey) {
        return new SessionLock(nodeId, lockKey, waitKey, ownerPrefix + ownerCounter.incrementAndGet());
    }

    /**
     * Sends one attempt to take the lock; the answer says whether it was taken. The caller may send more operations
     * to the same node before it waits: they run after the attempt.
     */
    public Pending<Boolean> startAttempt(SessionLock lock) throws StoreException {
        long sentAt = System.currentTimeMillis();
        Pending<Boolean> add = store.startAdd(lock.nodeId, lock.key, leaseSeconds, lock.token);
        return timeoutMillis -> {
            boolean taken = Boolean.TRUE.equals(add.await(timeoutMillis));
            if (taken) {
                holding(lock, sentAt);
            }
            return taken;
        };
    }

    /**
     * Tries to take the lock again and again, waiting a little longer each time, until {@code deadlineNanos}. While
     * it waits, it keeps a wait mark next to the lock, so that the holder's Tomcat gives way ({@link #othersWait}).
     *
     * @return whether the lock is now held
     */
    public boolean acquire(SessionLock lock, long deadlineNanos) throws StoreException {
        long pause = FIRST_RETRY_MILLIS;
        long markedAt = System.nanoTime() - MARK_RENEWAL_NANOS;
        while (true) {
            Pending<Boolean> attempt = startAttempt(lock);
            boolean marking = System.nanoTime() - markedAt >= MARK_RENEWAL_NANOS;
            Pending<Boolean> mark = marking ? store.startSet(lock.nodeId, lock.waitKey, WAIT_MARK_SECONDS, WAIT_MARK)
                    : null;
            if (attempt.await(operationTimeoutMillis)) {
                store.startDelete(lock.nodeId, lock.waitKey); // our turn came; the answer does not matter
                return true;
            }
            if (mark != null) {
                mark.await(operationTimeoutMillis);
                markedAt = System.nanoTime();
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.min(pause, left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            pause = Math.min(pause * 2, MAX_RETRY_MILLIS);
        }
    }

    /** Whether requests on another Tomcat wait for the lock (one read of its wait mark; false when unknown). */
    public boolean othersWait(SessionLock lock) {
        try {
            return store.get(lock.nodeId, lock.waitKey) != null;
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not read the wait mark of " + lock, e);
            return false;
        }
    }

    private void holding(SessionLock lock, long sentAtMillis) {
        lock.leaseValidUntilMillis = sentAtMillis + TimeUnit.SECONDS.toMillis(leaseSeconds - 1);
        held.add(lock);
    }

    /**
     * Sends the release of a held lock (once: a second release does nothing), to be awaited with the other operations of the request's end. The lock is
     * deleted only if it is still this owner's.
     */
    public Pending<?> startRelease(SessionLock lock) throws StoreException {
        if (lock.released) {
            return timeoutMillis -> Boolean.FALSE; // released already, when its session was invalidated
        }
        held.remove(lock);
        lock.released = true;
        if (lock.isCertainlyHeld(System.currentTimeMillis())) {
            return store.startDelete(lock.nodeId, lock.key);
        }
        return timeoutMillis -> {
            Versioned current = store.startGets(lock.nodeId, lock.key).await(timeoutMillis);
            if (current != null && Arrays.equals(current.value(), lock.token)) {
                return store.startCas(lock.nodeId, lock.key, current.cas(), EXPIRE_NOW, lock.token)
                        .await(timeoutMillis);
            }
            return Boolean.FALSE;
        };
    }

    /** Runs every third of a lease: each held lock gets a fresh lease before the old one can end. */
    private void renewAll() {
        for (SessionLock lock : held) {
            try {
                renew(lock);
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "could not renew the lock " + lock, e);
            }
        }
    }

    private void renew(SessionLock lock) throws StoreException {
        long sentAt = System.currentTimeMillis();
        boolean renewed;
        if (lock.isCertainlyHeld(sentAt)) {
            renewed = store.startTouch(lock.nodeId, lock.key, leaseSeconds).await(operationTimeoutMillis);
        } else {
            Versioned current = store.startGets(lock.nodeId, lock.key).await(operationTimeoutMillis);
            renewed = current != null && Arrays.equals(current.value(), lock.token)
                    && store.startCas(lock.nodeId, lock.key, current.cas(), leaseSeconds, lock.token)
                    .await(operationTimeoutMillis);
        }
        if (lock.released) {
            return; // released while this renewal ran
        }
        if (renewed) {
            lock.leaseValidUntilMillis = sentAt + TimeUnit.SECONDS.toMillis(leaseSeconds - 1);
        } else if (!lock.isCertainlyHeld(System.currentTimeMillis())) {
            held.remove(lock);
            statistics.lockLost();
            LOG.warning("the lock " + lock + " expired before it could be renewed (memcached unreachable for "
                    + "longer than lockExpiration); the session's changes are written only if nobody else wrote "
                    + "it meanwhile");
        }
    }

    @Override
    public void close() {
        renewer.stop(TimeUnit.SECONDS.toMillis(1));
    }
}
