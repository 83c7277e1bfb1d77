package io.memsession.core.stats;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * What memsession counts and measures, exposed by the Manager's MBean under memcached-session-manager's
 * {@code msmStat*} names so existing dashboards keep working. With {@code enableStatistics="false"} nothing is
 * recorded.
 */
public final class Statistics {

    /** Why a backup after a request did not write. */
    public enum Skip { NO_SESSION_ACCESS, NO_ATTRIBUTES_ACCESS, NO_MODIFICATION }

    /**
     * A value measured once per operation: the durations in nanoseconds (a store operation on a near memcached takes
     * a fraction of a millisecond, which milliseconds would round to nothing), the size in bytes.
     */
    public enum Measure { STORE_READ, STORE_WRITE, STORE_DELETE, SERIALIZATION, DESERIALIZATION, SESSION_SIZE }

    /**
     * Receives each measured value as it is recorded, for metrics with distributions (percentiles), which the
     * count, minimum, average and maximum of a {@link Probe} cannot give. Called on the thread that made the
     * operation, often a request's: it must be quick and must not throw.
     */
    public interface Listener {
        void recorded(Measure measure, long value);
    }

    private static final Listener NO_LISTENER = (measure, value) -> {
    };

    private final boolean enabled;
    private volatile Listener listener = NO_LISTENER;

    private final LongAdder requestsWithSession = new LongAdder();
    private final LongAdder requestsWithoutSession = new LongAdder();
    private final LongAdder noSessionAccess = new LongAdder();
    private final LongAdder noAttributesAccess = new LongAdder();
    private final LongAdder noModification = new LongAdder();
    private final LongAdder backupFailures = new LongAdder();
    private final LongAdder tomcatFailovers = new LongAdder();
    private final LongAdder memcachedFailovers = new LongAdder();
    private final LongAdder expirationRefreshes = new LongAdder();
    private final LongAdder unreadableSessions = new LongAdder();
    private final LongAdder unlockedRequests = new LongAdder();
    private final LongAdder lockTimeouts = new LongAdder();
    private final LongAdder locksLost = new LongAdder();
    private final LongAdder writeConflicts = new LongAdder();
    private final LongAdder oversizedSessions = new LongAdder();
    private final LongAdder backupCopyFailures = new LongAdder();

    private final Probe attributesSerialization = new Probe();
    private final Probe backup = new Probe();
    private final Probe backupLag = new Probe();
    private final Probe memcachedUpdate = new Probe();
    private final Probe sessionsLoaded = new Probe();
    private final Probe sessionDeserialization = new Probe();
    private final Probe sessionsDeleted = new Probe();
    private final Probe storedSize = new Probe();
    private final Probe lockWait = new Probe();
    private final Probe lockWaitRefused = new Probe();
    private final Probe lockRelease = new Probe();
    private final Probe requestEnd = new Probe();
    private final Probe untouchedSession = new Probe();

    public Statistics(boolean enabled) {
        this.enabled = enabled;
    }

    /** Every value measured from now on also goes to {@code listener}; null stops that. */
    public void listen(Listener listener) {
        this.listener = listener == null ? NO_LISTENER : listener;
    }

    public void requestFinished(boolean withSession) {
        if (enabled) {
            (withSession ? requestsWithSession : requestsWithoutSession).increment();
        }
    }

    public void backupSkipped(Skip reason) {
        if (enabled) {
            switch (reason) {
                case NO_SESSION_ACCESS:
                    noSessionAccess.increment();
                    break;
                case NO_ATTRIBUTES_ACCESS:
                    noAttributesAccess.increment();
                    break;
                default:
                    noModification.increment();
            }
        }
    }

    public void backupFailed() {
        if (enabled) {
            backupFailures.increment();
        }
    }

    /** Non-sticky: a session's backup copy could not be written before the response; it is in one place. */
    public void backupCopyFailed() {
        if (enabled) {
            backupCopyFailures.increment();
        }
    }

    public void tomcatFailover() {
        if (enabled) {
            tomcatFailovers.increment();
        }
    }

    public void memcachedFailover() {
        if (enabled) {
            memcachedFailovers.increment();
        }
    }

    public void expirationRefreshed() {
        if (enabled) {
            expirationRefreshes.increment();
        }
    }

    public void unreadableSession() {
        if (enabled) {
            unreadableSessions.increment();
        }
    }

    /** A non-sticky request used its session without locking it (lockingMode). */
    public void unlockedRequest() {
        if (enabled) {
            unlockedRequests.increment();
        }
    }

    /** A request took its session's lock after waiting this long. */
    public void lockAcquired(long waitMillis) {
        record(lockWait, waitMillis);
    }

    /** A request could not take its session's lock within lockTimeout, after waiting this long, and ran without it. */
    public void lockTimeout(long waitMillis) {
        if (enabled) {
            lockTimeouts.increment();
            lockWaitRefused.record(waitMillis);
        }
    }

    /** A lock was released on its own, not alongside a write, in this time. */
    public void lockReleased(long millis) {
        record(lockRelease, millis);
    }

    /** What a request's end cost its thread: deciding whether to write, and a synchronous write. */
    public void requestEnded(long millis) {
        record(requestEnd, millis);
    }

    /** A non-sticky request came with a session id and never used the session: nothing was read or written. */
    public void sessionUntouched(long millis) {
        record(untouchedSession, millis);
    }

    /** A held lock expired because it could not be renewed. */
    public void lockLost() {
        if (enabled) {
            locksLost.increment();
        }
    }

    /** A write was refused because another one changed the session since it was read. */
    public void writeConflict() {
        if (enabled) {
            writeConflicts.increment();
        }
    }

    /** A session was not written because it was larger than {@code maxSessionSize}. */
    public void sessionOversized() {
        if (enabled) {
            oversizedSessions.increment();
        }
    }

    /** Serializing a session's attributes took this long. */
    public void attributesSerialized(long nanos) {
        record(attributesSerialization, nanos, Measure.SERIALIZATION);
    }

    /**
     * A session was written: the whole backup took {@code backupNanos}, memcached's part of it {@code updateNanos},
     * and {@code lagNanos} passed from the end of its request to the write.
     */
    public void sessionWritten(long backupNanos, long updateNanos, long lagNanos, int bytes) {
        if (enabled) {
            backup.record(millis(backupNanos));
            memcachedUpdate.record(millis(updateNanos));
            backupLag.record(millis(lagNanos));
            storedSize.record(bytes);
            listener.recorded(Measure.STORE_WRITE, updateNanos);
            listener.recorded(Measure.SESSION_SIZE, bytes);
        }
    }

    public void sessionLoaded(long nanos) {
        record(sessionsLoaded, nanos, Measure.STORE_READ);
    }

    public void sessionDeserialized(long nanos) {
        record(sessionDeserialization, nanos, Measure.DESERIALIZATION);
    }

    public void sessionDeleted(long nanos) {
        record(sessionsDeleted, nanos, Measure.STORE_DELETE);
    }

    private void record(Probe probe, long value) {
        if (enabled) {
            probe.record(value);
        }
    }

    /** The probe in milliseconds, as msm's {@code msmStat*Info} attributes have them; the listener in nanoseconds. */
    private void record(Probe probe, long nanos, Measure measure) {
        if (enabled) {
            probe.record(millis(nanos));
            listener.recorded(measure, nanos);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    public long requestsWithSession() {
        return requestsWithSession.sum();
    }

    public long requestsWithoutSession() {
        return requestsWithoutSession.sum();
    }

    public long noSessionAccess() {
        return noSessionAccess.sum();
    }

    public long noAttributesAccess() {
        return noAttributesAccess.sum();
    }

    public long noModification() {
        return noModification.sum();
    }

    public long backupFailures() {
        return backupFailures.sum();
    }

    public long backupCopyFailures() {
        return backupCopyFailures.sum();
    }

    public long tomcatFailovers() {
        return tomcatFailovers.sum();
    }

    public long memcachedFailovers() {
        return memcachedFailovers.sum();
    }

    public long expirationRefreshes() {
        return expirationRefreshes.sum();
    }

    public long unreadableSessions() {
        return unreadableSessions.sum();
    }

    public long unlockedRequests() {
        return unlockedRequests.sum();
    }

    public long lockTimeouts() {
        return lockTimeouts.sum();
    }

    public long locksLost() {
        return locksLost.sum();
    }

    public long writeConflicts() {
        return writeConflicts.sum();
    }

    public long oversizedSessions() {
        return oversizedSessions.sum();
    }

    public Probe lockWait() {
        return lockWait;
    }

    public Probe lockWaitRefused() {
        return lockWaitRefused;
    }

    public Probe lockRelease() {
        return lockRelease;
    }

    public Probe requestEnd() {
        return requestEnd;
    }

    public Probe untouchedSession() {
        return untouchedSession;
    }

    public Probe attributesSerialization() {
        return attributesSerialization;
    }

    public Probe backup() {
        return backup;
    }

    public Probe backupLag() {
        return backupLag;
    }

    public Probe memcachedUpdate() {
        return memcachedUpdate;
    }

    public Probe sessionsLoaded() {
        return sessionsLoaded;
    }

    public Probe sessionDeserialization() {
        return sessionDeserialization;
    }

    public Probe sessionsDeleted() {
        return sessionsDeleted;
    }

    public Probe storedSize() {
        return storedSize;
    }
}
