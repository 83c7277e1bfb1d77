package io.memsession.core.backup;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.SessionBlob;
import io.memsession.core.format.StoredSession;
import io.memsession.core.stats.Statistics;
import io.memsession.core.store.SessionStore;
import io.memsession.core.store.StorageKeys;
import io.memsession.core.store.StoreException;
import io.memsession.serializer.SessionAttributesTranscoder;

/**
 * Writes sessions to memcached after their requests, only when needed, and keeps stored copies alive and deleted
 * in step with the sessions.
 *
 * <p>Asynchronous mode ({@code sessionBackupAsync="true"}) queues a session at most once: writer threads take it,
 * serialize its newest state and write it, so several requests on one session between two writes cost one write.
 * A session is never written by two threads at once. Synchronous mode writes in the request thread, bounded by
 * {@code sessionBackupTimeout}.
 */
public final class SessionBackup implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SessionBackup.class.getName());
    private static final long FAILURE_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final SessionStore store;
    private final StorageKeys keys;
    private final SessionAttributesTranscoder transcoder;
    private final String serializerId;
    private final PrincipalCodec principalCodec;
    private final Statistics statistics;
    private final IntSupplier graceSeconds;
    private final long syncTimeoutMillis;
    private final long asyncTimeoutMillis;
    private final BlockingQueue<BackedUpSession> queue;
    private final Thread[] writers;
    private volatile boolean closed;
    private volatile long lastFailureLogNanos = System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS;

    /**
     * @param writerThreads 0 for synchronous backup in the request thread
     * @param graceSeconds how long a stored copy outlives the session's own expiry
     */
    public SessionBackup(SessionStore store, StorageKeys keys, SessionAttributesTranscoder transcoder,
                         String serializerId, PrincipalCodec principalCodec, Statistics statistics,
                         IntSupplier graceSeconds, int writerThreads, long syncTimeoutMillis,
                         long asyncTimeoutMillis, String threadNamePrefix) {
        this.store = store;
        this.keys = keys;
        this.transcoder = transcoder;
        this.serializerId = serializerId;
        this.principalCodec = principalCodec;
        this.statistics = statistics;
        this.graceSeconds = graceSeconds;
        this.syncTimeoutMillis = syncTimeoutMillis;
        this.asyncTimeoutMillis = asyncTimeoutMillis;
        this.queue = writerThreads > 0 ? new LinkedBlockingQueue<>() : null;
        this.writers = new Thread[writerThreads];
        for (int i = 0; i < writerThreads; i++) {
            writers[i] = new Thread(this::runWriter, threadNamePrefix + (i + 1));
            writers[i].setDaemon(true);
            writers[i].start();
        }
    }

    /**
     * A request that used the session ended: write it unless nothing that is stored was touched. Returns at once in
     * asynchronous mode.
     */
    public void afterRequest(BackedUpSession session) {
        BackupState state = session.backupState();
        if (!state.needsWriteCheck()) {
            statistics.backupSkipped(Statistics.Skip.NO_ATTRIBUTES_ACCESS);
            return;
        }
        if (!keys.hasNode(session.id())) {
            statistics.backupFailed(); // created while every node was down; it gets a node on its next request
            return;
        }
        if (queue == null) {
            write(session, syncTimeoutMillis, System.nanoTime());
        } else if (state.queued.compareAndSet(false, true)) {
            state.queuedSinceNanos = System.nanoTime();
            queue.add(session);
        }
    }

    /** Writes the session in the calling thread if anything stored may have changed since its last write. */
    public void writeIfChanged(BackedUpSession session) {
        if (session.backupState().needsWriteCheck() && keys.hasNode(session.id())) {
            write(session, asyncTimeoutMillis, System.nanoTime());
        }
    }

    private void runWriter() {
        while (!closed || !queue.isEmpty()) {
            BackedUpSession session;
            try {
                session = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (session != null) {
                BackupState state = session.backupState();
                long since = state.queuedSinceNanos;
                state.queued.set(false);
                write(session, asyncTimeoutMillis, since);
            }
        }
    }

    /**
     * Writes the session if its serialized attributes differ from the stored ones, or if it must be written.
     *
     * @param sinceNanos when the request that asked for this write ended
     */
    void write(BackedUpSession session, long timeoutMillis, long sinceNanos) {
        BackupState state = session.backupState();
        synchronized (state) {
            if (state.removed || !session.isLive()) {
                return;
            }
            String id = session.id();
            boolean force = state.takeForce();
            long start = System.nanoTime();
            byte[] attributes;
            byte[] blob;
            SessionSnapshot snapshot;
            try {
                snapshot = session.snapshot();
                attributes = transcoder.serialize(snapshot.attributes);
                statistics.attributesSerialized(millisSince(start));
                byte[] digest = Digests.sha256(attributes);
                if (!force && Arrays.equals(digest, state.storedDigest)) {
                    statistics.backupSkipped(Statistics.Skip.NO_MODIFICATION);
                    return;
                }
                blob = SessionBlob.encode(new StoredSession(id, snapshot.creationTime, snapshot.lastAccessedTime,
                        snapshot.thisAccessedTime, snapshot.maxInactiveInterval, snapshot.isNew,
                        snapshot.authType, principalBytes(state, snapshot), serializerId, attributes));
                long now = System.currentTimeMillis();
                long expiresAt = Expiration.expiresAtMillis(snapshot.maxInactiveInterval,
                        snapshot.thisAccessedTime, graceSeconds.getAsInt());
                long updateStart = System.nanoTime();
                store.set(keys.nodeId(id), keys.key(id), Expiration.memcachedExpiration(expiresAt, now), blob,
                        timeoutMillis);
                state.storedDigest = digest;
                state.storedExpiresAtMillis = expiresAt;
                statistics.sessionWritten(millisSince(start), millisSince(updateStart), millisSince(sinceNanos),
                        blob.length);
            } catch (StoreException | RuntimeException e) {
                state.mustWrite();
                statistics.backupFailed();
                logFailure("could not write session " + id + " to memcached; it stays in this Tomcat and is "
                        + "written again after its next request", e);
            }
        }
    }

    private byte[] principalBytes(BackupState state, SessionSnapshot snapshot) {
        if (snapshot.principal != state.encodedPrincipalSource) {
            try {
                state.encodedPrincipal = principalCodec.encode(snapshot.principal);
            } catch (IOException e) {
                state.encodedPrincipal = null;
                LOG.warning("the principal of a session cannot be serialized (" + e
                        + "); after a failover its user must log in again");
            }
            state.encodedPrincipalSource = snapshot.principal;
        }
        return state.encodedPrincipal;
    }

    /**
     * Keeps a session that is used but not changed alive in memcached: when its stored copy would expire before the
     * session does, and within the grace period, its expiration is moved on; a copy memcached lost is written again.
     *
     * @return whether anything was sent to memcached
     */
    public boolean refreshExpiration(BackedUpSession session) {
        BackupState state = session.backupState();
        if (state.queued.get()) {
            return false; // the coming write sets a fresh expiration
        }
        synchronized (state) {
            if (state.storedDigest == null || state.removed || !session.isLive()) {
                return false;
            }
            int grace = graceSeconds.getAsInt();
            long wanted = Expiration.expiresAtMillis(session.maxInactiveSeconds(), session.lastUsedMillis(), grace);
            long now = System.currentTimeMillis();
            if (wanted <= state.storedExpiresAtMillis + 1000
                    || state.storedExpiresAtMillis - now > grace * 1000L) {
                return false;
            }
            String id = session.id();
            try {
                if (store.touch(keys.nodeId(id), keys.key(id), Expiration.memcachedExpiration(wanted, now))) {
                    state.storedExpiresAtMillis = wanted;
                    statistics.expirationRefreshed();
                    return true;
                }
            } catch (StoreException | RuntimeException e) {
                logFailure("could not refresh the expiration of session " + id + " in memcached", e);
                return true;
            }
            state.mustWrite(); // memcached lost it (evicted, or the node restarted): store it again
        }
        write(session, asyncTimeoutMillis, System.nanoTime());
        return true;
    }

    /**
     * Deletes a session that was invalidated or expired, after any write under way; no write follows.
     *
     * @param unlessUsedElsewhere for a session expiring here: keep the stored copy if another Tomcat used the
     *        session more recently (a stale copy in this Tomcat must not delete a live session)
     */
    public void sessionRemoved(BackedUpSession session, boolean unlessUsedElsewhere, long localThisAccessedTime) {
        BackupState state = session.backupState();
        synchronized (state) {
            if (state.removed) {
                return;
            }
            state.removed = true;
            String id = session.id();
            if (!keys.hasNode(id)) {
                return;
            }
            long start = System.nanoTime();
            try {
                if (unlessUsedElsewhere && usedElsewhereSince(id, localThisAccessedTime)) {
                    return;
                }
                store.delete(keys.nodeId(id), keys.key(id));
                statistics.sessionDeleted(millisSince(start));
            } catch (StoreException | RuntimeException e) {
                logFailure("could not delete session " + id + " from memcached; memcached expires it", e);
            }
        }
    }

    private boolean usedElsewhereSince(String id, long localThisAccessedTime) throws StoreException {
        byte[] blob = store.get(keys.nodeId(id), keys.key(id));
        if (blob == null) {
            return false;
        }
        try {
            return SessionBlob.decode(blob).thisAccessedTime() > localThisAccessedTime;
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    /** The session got a new id: its copy under the old id goes, and it is written under the new one. */
    public void sessionRenamed(BackedUpSession session, String oldId) {
        BackupState state = session.backupState();
        synchronized (state) {
            state.mustWrite();
            deleteKey(oldId);
        }
    }

    /** Deletes a stored session by id, bounded by the operation timeout; failures are logged. */
    public void deleteKey(String id) {
        if (!keys.hasNode(id)) {
            return;
        }
        long start = System.nanoTime();
        try {
            store.delete(keys.nodeId(id), keys.key(id));
            statistics.sessionDeleted(millisSince(start));
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not delete " + id + " from memcached", e);
        }
    }

    /** Writes what is queued (bounded by the operation timeout per session) and stops the writer threads. */
    @Override
    public void close() {
        closed = true;
        for (Thread writer : writers) {
            try {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Sessions waiting for an asynchronous write. */
    public int queuedSessions() {
        return queue == null ? 0 : queue.size();
    }

    private void logFailure(String message, Exception e) {
        long now = System.nanoTime();
        if (now - lastFailureLogNanos >= FAILURE_LOG_INTERVAL_NANOS) {
            lastFailureLogNanos = now;
            LOG.warning(message + ": " + e.getMessage() + " (similar failures are counted in msmStatNumBackupFailures "
                    + "and logged at most every 10 s)");
        } else {
            LOG.log(Level.FINE, message, e);
        }
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
