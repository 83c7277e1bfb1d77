package io.memsession.core;

import static io.memsession.core.Elapsed.nanosSince;

import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.MemcachedNodes;
import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.SessionBlob;
import io.memsession.core.format.StoredSession;
import io.memsession.core.stats.Statistics;
import io.memsession.serializer.SessionAttributesTranscoder;

/**
 * Writes sessions to memcached after their requests, only when needed, and keeps stored copies alive and deleted
 * in step with the sessions.
 *
 * <p>Asynchronous mode ({@code sessionBackupAsync="true"}) queues a session at most once and writes it
 * {@link #COALESCING_DELAY_MILLIS} after the request that queued it, with everything the requests in between
 * changed: under load, a busy session costs one write per period instead of one per request, and its stored copy
 * is never more than about that period behind. A writer takes what is due in batches and sends the whole batch
 * before it waits for the answers, so memcached and its client handle many writes per wake-up. Synchronous mode writes in the request thread, bounded by
 * {@code sessionBackupTimeout}. Either way a session is never written by two threads at once
 * ({@link BackupState#acquireWrite()}).
 */
final class SessionBackup implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SessionBackup.class.getName());
    private static final long FAILURE_LOG_INTERVAL_SECONDS = 10;
    /** Writes a writer sends before it waits for their answers. */
    static final int MAX_BATCH = 64;
    /**
     * How long a changed session waits in the queue before it is written. Long enough that a session in active use
     * is written a few times a second rather than on every request; short enough that a Tomcat crash costs at most
     * the last fraction of a second of changes (synchronous backup costs none).
     */
    public static final long COALESCING_DELAY_MILLIS = 100;
    private static final long COALESCING_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(COALESCING_DELAY_MILLIS);
    /**
     * When the oldest queued session has waited this long, the backup threads cannot keep up (a cold JIT, a CPU
     * crowded by request threads): requests then write their own sessions until the queue is back in time. It
     * bounds how far stored copies lag, at the price of request time while it lasts.
     */
    public static final long MAX_LAG_MILLIS = 1000;
    private static final long MAX_LAG_NANOS = TimeUnit.MILLISECONDS.toNanos(MAX_LAG_MILLIS);

    private final SessionStore store;
    private final StorageKeys keys;
    private final SessionAttributesTranscoder transcoder;
    private final String serializerId;
    private final SessionBlob blobs;
    private final PrincipalCodec principalCodec;
    private final Statistics statistics;
    private final IntSupplier graceSeconds;
    private final long syncTimeoutMillis;
    private final long asyncTimeoutMillis;
    private final int maxSessionSize;
    private final BackupCopies copies;
    /** Sticky mode with more than one node; else null. */
    private final Relocations relocations;
    /** Sessions being moved off a node that is down, so that two threads never move one at once. */
    private final Set<BackedUpSession> relocating = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<BackedUpSession> queue;
    private final Thread[] writers;
    private volatile boolean closed;
    private final RateLimit failureWarnings = new RateLimit(FAILURE_LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);
    private final RateLimit oversizedWarnings = new RateLimit(FAILURE_LOG_INTERVAL_SECONDS, TimeUnit.SECONDS);

    /** How sessions are written: one {@link Settings} per mode, chosen once by the engine. */
    public static final class Settings {
        final IntSupplier graceSeconds;
        final int writerThreads;
        final long syncTimeoutMillis;
        final long asyncTimeoutMillis;
        final int maxSessionSize;
        final BackupCopies copies;
        final String threadNamePrefix;
        /** Sticky mode: whether sessions may move between nodes ({@link MemcachedNodes#mayMoveSessions}), and how. */
        final boolean movable;
        final UnaryOperator<String> otherNode;

        /**
         * @param graceSeconds how long a stored copy outlives the session's own expiry
         * @param writerThreads 0 for synchronous backup in the request thread
         * @param syncTimeoutMillis how long a request waits for its session's write in synchronous backup
         * @param asyncTimeoutMillis how long any other write, read or delete may take
         * @param maxSessionSize the largest stored session in bytes; a larger one is not sent
         * @param copies non-sticky mode's backup copies; null in sticky mode
         */
        Settings(IntSupplier graceSeconds, int writerThreads, long syncTimeoutMillis, long asyncTimeoutMillis,
                 int maxSessionSize, BackupCopies copies, String threadNamePrefix, boolean movable,
                 UnaryOperator<String> otherNode) {
            this.movable = movable;
            this.otherNode = otherNode;
            this.graceSeconds = graceSeconds;
            this.writerThreads = writerThreads;
            this.syncTimeoutMillis = syncTimeoutMillis;
            this.asyncTimeoutMillis = asyncTimeoutMillis;
            this.maxSessionSize = maxSessionSize;
            this.copies = copies;
            this.threadNamePrefix = threadNamePrefix;
        }

        /**
         * Sticky mode: with {@code sessionBackupAsync}, {@code backupThreadCount} writer threads named
         * {@code threadNamePrefix} and a number; without, the request writes its session, waiting at most
         * {@code sessionBackupTimeout}. A session whose node is lost moves to the node {@code otherNode} gives
         * instead of the lost one (null when none is up).
         */
        public static Settings sticky(Configuration config, IntSupplier graceSeconds, String threadNamePrefix,
                                      UnaryOperator<String> otherNode) {
            return new Settings(graceSeconds, config.sessionBackupAsync() ? config.backupThreadCount() : 0,
                    config.sessionBackupTimeoutMillis(), config.operationTimeoutMillis(), config.maxSessionSize(),
                    null, threadNamePrefix, config.nodes().mayMoveSessions(), otherNode);
        }

        /**
         * Non-sticky mode: the request writes before its response, whatever {@code sessionBackupAsync} says (no
         * writer threads), and {@code copies} keeps the backup copies on the next node.
         */
        public static Settings nonSticky(Configuration config, int graceSeconds, BackupCopies copies) {
            return new Settings(() -> graceSeconds, 0, config.sessionBackupTimeoutMillis(),
                    config.operationTimeoutMillis(), config.maxSessionSize(), copies, null,
                    false, null);
        }
    }

    /** @param blobs the stored form of this web application's sessions (its identity, sealed or not) */
    public SessionBackup(SessionStore store, StorageKeys keys, SessionAttributesTranscoder transcoder,
                         String serializerId, SessionBlob blobs, PrincipalCodec principalCodec,
                         Statistics statistics, Settings settings) {
        this.store = store;
        this.keys = keys;
        this.transcoder = transcoder;
        this.serializerId = serializerId;
        this.blobs = blobs;
        this.principalCodec = principalCodec;
        this.statistics = statistics;
        this.graceSeconds = settings.graceSeconds;
        this.syncTimeoutMillis = settings.syncTimeoutMillis;
        this.asyncTimeoutMillis = settings.asyncTimeoutMillis;
        this.maxSessionSize = settings.maxSessionSize;
        this.copies = settings.copies;
        this.relocations = settings.movable ? new Relocations(store, keys, settings.otherNode, asyncTimeoutMillis,
                settings.threadNamePrefix + "relocations") : null;
        if (relocations != null) {
            relocations.movesFor(this);
        }
        this.queue = settings.writerThreads > 0 ? new LinkedBlockingQueue<>() : null;
        this.writers = new Thread[settings.writerThreads];
        for (int i = 0; i < writers.length; i++) {
            writers[i] = DaemonThreads.newThread(this::runWriter, settings.threadNamePrefix + (i + 1));
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
        } else if (backupThreadsAreBehind()) {
            write(session, asyncTimeoutMillis, System.nanoTime());
        } else {
            enqueue(session);
        }
    }

    private boolean backupThreadsAreBehind() {
        BackedUpSession oldest = queue.peek();
        return oldest != null && System.nanoTime() - oldest.backupState().queuedSinceNanos > MAX_LAG_NANOS;
    }

    private void enqueue(BackedUpSession session) {
        BackupState state = session.backupState();
        if (state.queued.compareAndSet(false, true)) {
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

    /** How a non-sticky request's write ended. */
    public enum Outcome {
        /** The session changed and memcached has the change. */
        WRITTEN,
        /** Nothing stored changed: the stored copies were kept alive instead. */
        UNCHANGED,
        /** The session changed but the change was not stored: another write came first, or it was not allowed. */
        REFUSED,
        /** memcached could not be reached; the failure is counted and logged. */
        FAILED,
        /**
         * The session changed but is larger than {@code maxSessionSize}: nothing was sent, and memcached keeps the
         * session as it was before the request.
         */
        OVERSIZED
    }

    /** An operation sent right after a write, to be awaited with it. */
    public interface Alongside {
        Pending<?> start() throws StoreException;
    }

    /**
     * Non-sticky mode: writes the session in the calling thread, before the response is complete, if anything stored
     * changed; an unchanged session is kept alive instead. {@code alongside} (may be null) is sent after the write,
     * to the same node, so memcached applies it after the write and one round trip serves both.
     *
     * <p>A request with nothing to write still waits for a write under way: a parallel request's write may carry
     * this request's changes, and its answer must be in before this request answers (or its stay ends, or its lock
     * is released). A session that may no longer be written ({@link BackupState#refuseWrites()}, or after a refused
     * write) refuses a request whose last change memcached does not have, while the session holds such changes.
     *
     * @param lastChange the number of the request's last change to the session ({@link BackupState#mustWrite()},
     *        {@link BackupState#attributesAccessed()}); 0 for none
     */
    public Outcome writeBeforeResponse(BackedUpSession session, long lastChange, Alongside alongside) {
        BackupState state = session.backupState();
        Write write = null;
        Outcome outcome = Outcome.UNCHANGED;
        if (keys.hasNode(session.id())) {
            state.acquireWrite();
            if (!state.writesRefused && state.versionsEveryWrite && state.loadedCas == 0 && !state.createsKey
                    && state.needsWriteCheck()) {
                readVersion(session);
            }
            if (state.writesRefused) {
                release(session);
            } else if (state.needsWriteCheck()) {
                write = start(session, System.nanoTime()); // with nothing to send, it releases the permission
            } else {
                release(session);
            }
        }
        Pending<?> sent = null;
        try {
            sent = alongside == null ? null : alongside.start();
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not send an operation after the write of " + session.id(), e);
        }
        if (write != null) {
            outcome = finish(write, asyncTimeoutMillis);
        }
        if (state.writesRefused) {
            // this request's own change may have gone out with a parallel request's write that succeeded
            outcome = state.hasStored(lastChange) ? Outcome.UNCHANGED
                    : state.oversized ? Outcome.OVERSIZED
                    : holdsUnstoredChanges(session) ? Outcome.REFUSED : Outcome.UNCHANGED;
        }
        if (sent != null) {
            try {
                sent.await(asyncTimeoutMillis);
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "an operation after the write of " + session.id() + " failed", e);
            }
        }
        if (outcome == Outcome.UNCHANGED && !state.writesRefused && keys.hasNode(session.id()) && session.isLive()) {
            long now = System.currentTimeMillis();
            copies.used(session.id(), state.copied ? state.storedBlob : null, Expiration.memcachedExpiration(
                    Expiration.expiresAtMillis(session.maxInactiveSeconds(), now, graceSeconds.getAsInt()), now));
        }
        return outcome;
    }

    /**
     * A stay without the lock writes again: the version its last write created is read, and if memcached holds
     * anything but that write, another Tomcat wrote since, and this stay may write no more.
     */
    private void readVersion(BackedUpSession session) {
        BackupState state = session.backupState();
        String id = session.id();
        try {
            Versioned current = store.startGets(keys.nodeId(id), keys.key(id)).await(asyncTimeoutMillis);
            if (current != null && Arrays.equals(current.value(), state.storedBlob)) {
                state.loadedCas = current.cas();
                return;
            }
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not read the version of session " + id, e);
        }
        state.refuseWrites();
    }

    /** Whether the session holds what its stored copy lacks; for a session that may not be written. */
    private boolean holdsUnstoredChanges(BackedUpSession session) {
        BackupState state = session.backupState();
        if (state.hasForcedWrite()) {
            return true;
        }
        try {
            byte[] attributes = transcoder.serialize(session.snapshot().attributes);
            return !state.isStored(attributes, state.digestFor(attributes));
        } catch (RuntimeException e) {
            return true;
        }
    }

    private void runWriter() {
        List<BackedUpSession> batch = new ArrayList<>(MAX_BATCH);
        List<Write> sent = new ArrayList<>(MAX_BATCH);
        while (!closed || !queue.isEmpty()) {
            try {
                BackedUpSession first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                awaitDue(first);
            } catch (InterruptedException e) {
                return;
            }
            BackedUpSession next;
            while (batch.size() < MAX_BATCH && (next = queue.peek()) != null && isDue(next)) {
                next = queue.poll();
                if (next != null) {
                    batch.add(next);
                }
            }
            for (BackedUpSession session : batch) {
                BackupState state = session.backupState();
                long since = state.queuedSinceNanos;
                state.queued.set(false); // a change from now on queues the session again
                if (state.tryAcquireWrite(true)) {
                    Write write = start(session, since);
                    if (write != null) {
                        sent.add(write);
                    }
                }
            }
            for (Write write : sent) {
                finish(write, asyncTimeoutMillis);
            }
            for (BackedUpSession session : batch) {
                relocateIfItsNodeIsDown(session);
            }
            batch.clear();
            sent.clear();
        }
    }

    /** The queue is in order of queueing, so waiting for its oldest session is waiting for the first one due. */
    private void awaitDue(BackedUpSession session) throws InterruptedException {
        long wait = session.backupState().queuedSinceNanos + COALESCING_DELAY_NANOS - System.nanoTime();
        if (wait > 0 && !closed) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private boolean isDue(BackedUpSession session) {
        return closed || System.nanoTime() - session.backupState().queuedSinceNanos >= COALESCING_DELAY_NANOS;
    }

    /**
     * Writes the session if its serialized attributes differ from the stored ones, or if it must be written.
     *
     * @param sinceNanos when the request that asked for this write ended
     */
    void write(BackedUpSession session, long timeoutMillis, long sinceNanos) {
        writeHere(session, timeoutMillis, sinceNanos);
        relocateIfItsNodeIsDown(session);
    }

    /** {@link #write}, on the session's node whatever happens. */
    private void writeHere(BackedUpSession session, long timeoutMillis, long sinceNanos) {
        session.backupState().acquireWrite();
        Write write = start(session, sinceNanos);
        if (write != null) {
            finish(write, timeoutMillis);
        }
    }

    /**
     * Sticky mode: a write failed because the session's node is down; rather than wait for its next request, the
     * session moves to another node and is written there now, within the same request in synchronous mode.
     */
    private void relocateIfItsNodeIsDown(BackedUpSession session) {
        if (relocations != null && session.backupState().takeRelocationDue()) {
            relocate(session);
        }
    }

    /**
     * Sticky mode: moves a session whose node is down to another node that is up (only the node part of its id
     * changes, see {@link Relocations}) and writes it there, trying each node once; a session whose node is up, or
     * that another thread is moving, is left alone.
     *
     * @return whether the session moved and is stored on its new node
     */
    boolean relocate(BackedUpSession session) {
        if (relocations == null || !relocating.add(session)) {
            return false;
        }
        try {
            boolean moved = false;
            for (int attempt = 0; attempt < relocations.nodeIds().size() && session.isLive(); attempt++) {
                String id = session.id();
                if (!keys.hasNode(id) || store.isAvailable(keys.nodeId(id))) {
                    return moved;
                }
                String target = relocations.nodeInsteadOf(keys.nodeId(id));
                if (target == null) {
                    return false; // no node is up: it stays in this Tomcat, and moves when one is back
                }
                if (!session.relocate(id, Relocations.onNode(id, target))) {
                    continue; // a request moved it meanwhile: its new id is looked at again
                }
                statistics.memcachedFailover();
                moved = true;
                writeHere(session, queue == null ? syncTimeoutMillis : asyncTimeoutMillis, System.nanoTime());
                if (!session.backupState().takeRelocationDue()) {
                    return true;
                }
            }
            return false;
        } finally {
            relocating.remove(session);
        }
    }

    /**
     * Sticky mode: the id under which memcached holds the newest copy of the session {@code id} names. A session
     * moves by the node part of its id only, so the same id is read on every node that is up, all reads sent
     * before the first is awaited; the newest copy wins ({@link StoredSession#isNewerThan}), older ones are deleted (a
     * node that was paused keeps the copies sessions left there). Without node ids, the id itself.
     *
     * @return null when no node that is up holds the session
     */
    public String newestCopy(String id) {
        SessionId parsed = relocations == null ? null : SessionId.parse(id);
        if (parsed == null || parsed.nodeId() == null) {
            return id;
        }
        List<String> ids = new ArrayList<>();
        List<Pending<Versioned>> reads = new ArrayList<>();
        for (String nodeId : relocations.nodeIds()) {
            if (store.isAvailable(nodeId)) {
                String candidate = parsed.withNodeId(nodeId).toString();
                try {
                    reads.add(store.startGets(nodeId, keys.key(candidate)));
                    ids.add(candidate);
                } catch (StoreException | RuntimeException e) {
                    LOG.log(Level.FINE, "cannot look for session " + candidate, e);
                }
            }
        }
        String newest = null;
        StoredSession newestForm = null;
        List<String> found = new ArrayList<>();
        List<StoredSession> forms = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
            Versioned copy;
            try {
                copy = reads.get(i).await(asyncTimeoutMillis);
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "cannot look for session " + ids.get(i), e);
                continue;
            }
            if (copy == null) {
                continue;
            }
            StoredSession form = storedForm(copy.value());
            found.add(ids.get(i));
            forms.add(form);
            if (newest == null || form != null && (newestForm == null || form.isNewerThan(newestForm)
                    || !newestForm.isNewerThan(form) && ids.get(i).equals(id))) {
                newest = ids.get(i);
                newestForm = form;
            }
        }
        for (int i = 0; i < found.size(); i++) {
            if (forms.get(i) != null && newestForm != null && newestForm.isNewerThan(forms.get(i))) {
                deleteKey(found.get(i)); // a stale copy left on a node the session moved off
            }
        }
        return newest;
    }

    /** The stored session's fields, to tell which of two is newer; null for what this application cannot read. */
    StoredSession storedForm(byte[] blob) {
        try {
            return blobs.decode(blob);
        } catch (RuntimeException unreadable) {
            return null;
        }
    }

    /** Sticky mode: the current id of a session this Tomcat moved off a node, given an earlier id; else null. */
    public String movedTo(String id) {
        return relocations == null ? null : relocations.currentId(id);
    }

    /** Sticky mode: the sessions this Tomcat holds, moved off a node as soon as it is found down. */
    public void relocatesSessionsOf(Iterable<? extends BackedUpSession> sessions) {
        if (relocations != null) {
            relocations.sessions(sessions);
        }
    }

    /**
     * First half of a write, holding the session's write permission: serialize, compare, send. Returns null, with
     * the permission released, when there is nothing to wait for.
     */
    private Write start(BackedUpSession session, long sinceNanos) {
        BackupState state = session.backupState();
        if (state.removed || !session.isLive()) {
            release(session);
            return null;
        }
        String id = session.id();
        long changes = state.changesSoFar(); // read before the flags are taken: what the snapshot surely holds
        boolean force = state.takeForce();
        long start = System.nanoTime();
        try {
            SessionSnapshot snapshot = session.snapshot();
            byte[] attributes = transcoder.serialize(snapshot.attributes);
            statistics.attributesSerialized(nanosSince(start));
            byte[] digest = state.digestFor(attributes);
            boolean holdsNothing = snapshot.attributes.isEmpty() && snapshot.principal == null
                    && snapshot.notes.isEmpty();
            if ((!force && state.isStored(attributes, digest)) || (holdsNothing && copies == null
                    && state.storedDigest == null)) {
                // sticky: a session that holds nothing and was never stored is not worth an item (a client
                // without a cookie costs none): its failover would give its user an equally empty session
                state.stored(changes);
                statistics.backupSkipped(Statistics.Skip.NO_MODIFICATION);
                release(session);
                return null;
            }
            StoredSession stored = new StoredSession(id, snapshot.creationTime, snapshot.lastAccessedTime,
                    snapshot.thisAccessedTime, state.storedWriteNumber + 1, snapshot.maxInactiveInterval,
                    snapshot.isNew, snapshot.authType, principalBytes(state, snapshot), serializerId, attributes);
            byte[] blob = blobs.encode(stored);
            if (blob.length > maxSessionSize) {
                oversized(session, snapshot, blob.length);
                release(session);
                return null;
            }
            long expiresAt = Expiration.expiresAtMillis(snapshot.maxInactiveInterval, snapshot.thisAccessedTime,
                    graceSeconds.getAsInt());
            long updateStart = System.nanoTime();
            int ttl = Expiration.memcachedExpiration(expiresAt, System.currentTimeMillis());
            state.sent = true;
            // a version read with the session, or a key just taken over, means another Tomcat may write it too:
            // never overwrite its write
            Pending<Boolean> pending;
            try {
                pending = state.loadedCas != 0
                        ? store.startCas(keys.nodeId(id), keys.key(id), state.loadedCas, ttl, blob)
                        : state.createsKey ? store.startAdd(keys.nodeId(id), keys.key(id), ttl, blob)
                        : store.startSet(keys.nodeId(id), keys.key(id), ttl, blob);
            } catch (StoreException e) {
                if (copies == null) {
                    throw e;
                }
                pending = timeoutMillis -> {
                    throw e; // its node went down since the read: finish keeps the change on its copy's node
                };
            }
            // a session that never held anything has no copy: losing it with its node costs its user nothing
            boolean copied = copies != null && (state.copied || !holdsNothing);
            BackupCopies.CopyWrite copy = copied ? copies.startWithWrite(id, blob, ttl) : null;
            return new Write(session, id, pending, copied, copy, startSecondCopy(stored, ttl), stored, attributes,
                    digest, expiresAt, blob, ttl, changes, start, updateStart, sinceNanos);
        } catch (StoreException | RuntimeException e) {
            failed(session, e);
            release(session);
            return null;
        }
    }

    /** Second half of a write: wait for memcached's answer, remember what is stored, release the permission. */
    private Outcome finish(Write write, long timeoutMillis) {
        BackupState state = write.session.backupState();
        try {
            if (!write.pending.await(timeoutMillis)) {
                // compare-and-set: another write came first, or the session is gone; what this Tomcat holds is
                // based on an older version, so nothing more of it may be written
                state.refuseWrites();
                if (write.copied) {
                    copies.refused(write.session.id(), write.copy);
                }
                return Outcome.REFUSED;
            }
            return written(write);
        } catch (StoreException e) {
            Outcome kept = copies == null ? null : keepOnCopysNode(write, e, timeoutMillis);
            if (kept != null) {
                return kept;
            }
            failed(write.session, e);
            return Outcome.FAILED;
        } catch (RuntimeException e) {
            failed(write.session, e);
            return Outcome.FAILED;
        } finally {
            if (write.second != null) {
                finishSecondCopy(write.second, timeoutMillis);
            }
            release(write.session);
        }
    }

    /** memcached has the write: what is stored now. */
    private Outcome written(Write write) {
        BackupState state = write.session.backupState();
        state.loadedCas = 0; // memcached does not tell the new version: a later write of this stay is a set
        state.createsKey = false;
        if (relocations != null) {
            relocations.written(write.id);
        }
        state.attributesStored(write.attributes, write.digest);
        state.stored(write.changes);
        state.storedExpiresAtMillis = write.expiresAtMillis;
        state.storedWriteNumber = write.stored.writeNumber();
        if (copies != null) {
            state.storedBlob = write.blob;
            if (write.copied) {
                state.copied = true;
                if (!copies.written(write.session.id(), write.blob, write.ttlSeconds, write.copy)) {
                    statistics.backupCopyFailed();
                }
            }
        }
        statistics.sessionWritten(nanosSince(write.startNanos), nanosSince(write.updateStartNanos),
                nanosSince(write.sinceNanos), write.blob.length);
        return Outcome.WRITTEN;
    }

    /**
     * Non-sticky: the session's node failed between the read and this write (went down, or answered nothing in
     * time, and may come back holding the state from before). The change is stored where a restore from the
     * copy puts the session, under its id with the copy's node, which every later read of the session also looks
     * at ({@link NonStickyEngine#beginStay}): so the acknowledged change is kept whether the node stays down or
     * comes back with the older state, which the newer one then replaces. Only if that cannot be written either is
     * the write failed.
     *
     * @return null when the change could not be kept there either
     */
    private Outcome keepOnCopysNode(Write write, StoreException cause, long timeoutMillis) {
        String copyNode = copies.backupNode(keys.nodeId(write.id));
        if (copyNode == null) {
            return null;
        }
        String keptId = Relocations.onNode(write.id, copyNode);
        try {
            if (!store.startAdd(copyNode, keys.key(keptId), write.ttlSeconds, encodedAs(keptId, write.stored))
                    .await(timeoutMillis)) {
                // restored there meanwhile by another request, which did not see this one's change
                write.session.backupState().refuseWrites();
                if (write.copied) {
                    copies.refused(write.session.id(), write.copy);
                }
                return Outcome.REFUSED;
            }
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not keep session " + write.id + " as " + keptId + " either", e);
            return null;
        }
        statistics.memcachedFailover();
        logFailure("could not write session " + write.id + " to its node; its change is kept as " + keptId
                + " on the node of its copy, where its next request finds it", cause);
        return written(write);
    }

    /**
     * The session is larger than {@code maxSessionSize}, so it is not sent: memcached would refuse it, and the
     * client would then drop its connection to the node, costing every session there its write. Nothing else is
     * disturbed. Sticky mode: the session goes on in this Tomcat; its older stored copy is deleted, so that a
     * failover gives its user a new session rather than silently an old state. Non-sticky mode: the stay writes
     * no more, memcached keeps the session (and its backup copy) as it was, and the request is refused.
     */
    private void oversized(BackedUpSession session, SessionSnapshot snapshot, int size) {
        BackupState state = session.backupState();
        String id = session.id();
        statistics.sessionOversized();
        String message = "session " + id + " is not stored: it is " + size + " bytes, more than maxSessionSize ("
                + maxSessionSize + ")";
        if (oversizedWarnings.permits()) {
            LOG.warning(message + "; its largest attributes: " + largestAttributes(snapshot.attributes)
                    + (copies == null ? ". It stays in this Tomcat only; its earlier stored copy is deleted, so after"
                    + " a failover its user gets a new session" : ". The request's changes are refused (HTTP 507); "
                    + "memcached keeps the session as it was")
                    + " (counted in msmStatNumOversizedSessions; similar lines at most every 10 s)");
        } else {
            LOG.fine(message);
        }
        if (copies != null) {
            state.oversized = true;
            state.refuseWrites();
        } else if (state.storedDigest != null) {
            state.storedDigest = null; // memcached has nothing of it now: the next write check writes it
            try {
                deleteSession(id);
            } catch (StoreException | RuntimeException e) {
                logFailure("could not delete the earlier stored copy of session " + id, e);
            }
        }
    }

    /** Each attribute serialized on its own, the largest first: only for the log line of an oversized session. */
    private String largestAttributes(Map<String, Object> attributes) {
        List<Map.Entry<String, Integer>> sizes = new ArrayList<>();
        for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
            int bytes;
            try {
                bytes = transcoder.serialize(Collections.singletonMap(attribute.getKey(), attribute.getValue()))
                        .length;
            } catch (RuntimeException e) {
                bytes = -1;
            }
            sizes.add(new AbstractMap.SimpleImmutableEntry<>(attribute.getKey(), bytes));
        }
        sizes.sort((a, b) -> Integer.compare(b.getValue(), a.getValue()));
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(3, sizes.size()); i++) {
            text.append(i == 0 ? "" : ", ").append(sizes.get(i).getKey()).append(" (")
                    .append(sizes.get(i).getValue()).append(" bytes)");
        }
        return sizes.isEmpty() ? "none (the principal or a login under way is that large)" : text.toString();
    }

    private void failed(BackedUpSession session, Exception e) {
        BackupState state = session.backupState();
        state.mustWrite();
        statistics.backupFailed();
        String id = session.id();
        if (relocations != null && keys.hasNode(id) && !store.isAvailable(keys.nodeId(id))) {
            state.relocationDue();
            logFailure("could not write session " + id + " to memcached, its node is down; it moves to another "
                    + "node now", e);
        } else {
            logFailure("could not write session " + id + " to memcached; it stays in this Tomcat and is "
                    + "written again after its next request", e);
        }
    }

    private void release(BackedUpSession session) {
        if (session.backupState().releaseWrite() && queue != null) {
            enqueue(session); // changed while being written: its newest state still has to go
        }
    }

    /** A write between {@link #start} and {@link #finish}. */
    private static final class Write {
        final BackedUpSession session;
        /** The id written: a move off a lost node may rename the session meanwhile. */
        final String id;
        final Pending<Boolean> pending;
        /** Whether the session has a backup copy, to be written with this write. */
        final boolean copied;
        /** The copy sent with the write, before the response; null when none was. */
        final BackupCopies.CopyWrite copy;
        /** Sticky mode: the session's second copy, sent with the write; null when none was. */
        final SecondCopy second;
        final StoredSession stored;
        final byte[] attributes;
        final byte[] digest;
        final long expiresAtMillis;
        final byte[] blob;
        final int ttlSeconds;
        /** The number of the newest change the write surely holds. */
        final long changes;
        final long startNanos;
        final long updateStartNanos;
        final long sinceNanos;

        Write(BackedUpSession session, String id, Pending<Boolean> pending, boolean copied,
              BackupCopies.CopyWrite copy, SecondCopy second, StoredSession stored, byte[] attributes,
              byte[] digest, long expiresAtMillis, byte[] blob, int ttlSeconds, long changes, long startNanos,
              long updateStartNanos, long sinceNanos) {
            this.session = session;
            this.id = id;
            this.pending = pending;
            this.copied = copied;
            this.copy = copy;
            this.second = second;
            this.stored = stored;
            this.attributes = attributes;
            this.digest = digest;
            this.expiresAtMillis = expiresAtMillis;
            this.blob = blob;
            this.ttlSeconds = ttlSeconds;
            this.changes = changes;
            this.startNanos = startNanos;
            this.updateStartNanos = updateStartNanos;
            this.sinceNanos = sinceNanos;
        }
    }

    /** Sticky mode: the write of a session's second copy, under the id {@code id} on that id's node. */
    private static final class SecondCopy {
        final String id;
        final Pending<Boolean> pending;

        SecondCopy(String id, Pending<Boolean> pending) {
            this.id = id;
            this.pending = pending;
        }
    }

    /**
     * Sticky mode with more than one node: sends the session's second copy, the same session under its id with the
     * node part of the next node that is up ({@link Relocations#secondCopyOf}). A session whose Tomcat dies is in
     * memcached only until its next request, on another Tomcat; with two copies there, the death of its node
     * meanwhile loses nothing either: the Tomcat that gets its next request reads the id on every node that is up
     * ({@link #newestCopy}) and finds the second copy.
     *
     * @return null when no other node is up, or the copy could not be sent
     */
    private SecondCopy startSecondCopy(StoredSession stored, int ttlSeconds) {
        String copyId = relocations == null || !keys.hasNode(stored.id()) ? null
                : relocations.secondCopyOf(stored.id());
        if (copyId == null) {
            return null;
        }
        try {
            return new SecondCopy(copyId, store.startSet(keys.nodeId(copyId), keys.key(copyId), ttlSeconds,
                    encodedAs(copyId, stored)));
        } catch (StoreException | RuntimeException e) {
            secondCopyFailed(copyId, e);
            return null;
        }
    }

    /** The session as stored under another id: a stored session names its id, which a reader checks. */
    private byte[] encodedAs(String id, StoredSession stored) {
        return blobs.encode(new StoredSession(id, stored.creationTime(), stored.lastAccessedTime(),
                stored.thisAccessedTime(), stored.writeNumber(), stored.maxInactiveInterval(), stored.isNew(),
                stored.authType(), stored.principal(), stored.serializerId(), stored.attributes()));
    }

    private void finishSecondCopy(SecondCopy copy, long timeoutMillis) {
        try {
            copy.pending.await(timeoutMillis);
            relocations.written(copy.id);
        } catch (StoreException | RuntimeException e) {
            secondCopyFailed(copy.id, e);
        }
    }

    /** The copy of an earlier write may be left under the id: it is deleted when its node answers again. */
    private void secondCopyFailed(String copyId, Exception e) {
        statistics.backupCopyFailed();
        relocations.leftBehind(copyId);
        LOG.log(Level.FINE, "could not write the second copy " + copyId + "; the session is in this Tomcat and on"
                + " its own node", e);
    }

    /** The principal alone is encoded once per principal; notes are there only while a login is under way. */
    private byte[] principalBytes(BackupState state, SessionSnapshot snapshot) {
        if (!snapshot.notes.isEmpty()) {
            state.encodedPrincipalSource = null;
            try {
                return principalCodec.encode(snapshot.principal, snapshot.notes);
            } catch (IOException e) {
                LOG.warning("a login under way in a session cannot be serialized (" + e + ")");
            }
        }
        if (snapshot.principal != state.encodedPrincipalSource) {
            try {
                state.encodedPrincipal = principalCodec.encode(snapshot.principal,
                        java.util.Collections.<String, Object>emptyMap());
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
        if (!state.tryAcquireWrite(false)) {
            return false; // a write is under way: it sets a fresh expiration
        }
        try {
            if (state.storedDigest == null || state.removed || !session.isLive()) {
                return false;
            }
            int grace = graceSeconds.getAsInt();
            long wanted = Expiration.expiresAtMillis(session.maxInactiveSeconds(), session.lastUsedMillis(), grace);
            long now = System.currentTimeMillis();
            // memcached's clock ticks in whole seconds, so a copy may end up to a second before its expiration:
            // the touch goes out a second earlier than the grace period alone would say, or it may find nothing
            if (wanted <= state.storedExpiresAtMillis + 1000
                    || state.storedExpiresAtMillis - now > grace * 1000L + 1000) {
                return false;
            }
            String id = session.id();
            int ttl = Expiration.memcachedExpiration(wanted, now);
            try {
                if (store.touch(keys.nodeId(id), keys.key(id), ttl) && touchSecondCopy(id, ttl)) {
                    state.storedExpiresAtMillis = wanted;
                    statistics.expirationRefreshed();
                    return true;
                }
            } catch (StoreException | RuntimeException e) {
                logFailure("could not refresh the expiration of session " + id + " in memcached", e);
                return true;
            }
            state.mustWrite(); // memcached lost it or its second copy (evicted, a node restarted): store it again
        } finally {
            release(session);
        }
        write(session, asyncTimeoutMillis, System.nanoTime());
        return true;
    }

    /**
     * Sticky mode: moves the expiration of the session's second copy on with its own.
     *
     * @return false when the copy's node answered that it does not have it (then the session is written again)
     */
    private boolean touchSecondCopy(String id, int ttlSeconds) {
        String copyId = relocations == null ? null : relocations.secondCopyOf(id);
        if (copyId == null) {
            return true;
        }
        try {
            return store.touch(keys.nodeId(copyId), keys.key(copyId), ttlSeconds);
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not refresh the expiration of the second copy " + copyId, e);
            return true; // its node does not answer: a write would not reach it either
        }
    }

    /**
     * Sticky mode: a node answers again (a restarted one is empty): the session gets its second copy there, if it
     * belongs there, now rather than at its next change.
     */
    void writeSecondCopy(BackedUpSession session) {
        session.backupState().mustWrite();
        write(session, asyncTimeoutMillis, System.nanoTime());
    }

    /**
     * Deletes a session that was invalidated or expired, after any write under way; no write follows.
     *
     * @param unlessUsedElsewhere for a session expiring here: keep the stored copy if another Tomcat used the
     *        session more recently (a stale copy in this Tomcat must not delete a live session)
     */
    public void sessionRemoved(BackedUpSession session, boolean unlessUsedElsewhere, long localThisAccessedTime) {
        BackupState state = session.backupState();
        state.acquireWrite();
        try {
            if (state.removed) {
                return;
            }
            state.removed = true;
            String id = session.id();
            if (!keys.hasNode(id) || !state.mayBeStored()) {
                return;
            }
            long start = System.nanoTime();
            if (unlessUsedElsewhere && usedElsewhereSince(id, localThisAccessedTime)) {
                return;
            }
            deleteSession(id);
            statistics.sessionDeleted(nanosSince(start));
        } catch (StoreException | RuntimeException e) {
            logFailure("could not delete session " + session.id() + " from memcached; memcached expires it", e);
        } finally {
            state.releaseWrite(); // removed: nothing is written again
        }
    }

    private boolean usedElsewhereSince(String id, long localThisAccessedTime) throws StoreException {
        byte[] blob = store.get(keys.nodeId(id), keys.key(id));
        if (blob == null) {
            return false;
        }
        try {
            StoredSession stored = blobs.decode(blob);
            return stored == null || stored.thisAccessedTime() > localThisAccessedTime; // null: not this webapp's
        } catch (RuntimeException unreadable) {
            return false;
        }
    }

    /**
     * The session got a new id: its copy under the old id goes, and it is written under the new one. A non-sticky
     * stay without the lock first checks that the old key still holds what it read or last wrote (else another
     * Tomcat changed the session since, and its change stays where it is while this stay may write no more), and
     * creates the new key with {@code add}: there is no version of it to compare against.
     *
     * @return the number of this change ({@link BackupState#mustWrite()}), the renaming request's
     */
    public long sessionRenamed(BackedUpSession session, String oldId) {
        BackupState state = session.backupState();
        state.acquireWrite();
        try {
            long change = state.mustWrite();
            if (state.versionsEveryWrite && !state.createsKey) {
                if (state.writesRefused || !holdsThisStaysVersion(oldId, state)) {
                    state.refuseWrites();
                    return change;
                }
                state.createsKey = true;
            }
            state.loadedCas = 0; // the version read belongs to the old key
            boolean moved = relocations != null && isMove(oldId, session.id());
            if (moved) {
                // before the delete, which waits out the timeout on a node that hangs: meanwhile a parallel request
                // with the old id must find the session under its new one
                relocations.moved(oldId, session.id());
            }
            if (relocations == null || !keys.hasNode(oldId)) {
                deleteKey(oldId);
            } else {
                long start = System.nanoTime();
                if (deleteEveryCopy(oldId, session.id())) {
                    statistics.sessionDeleted(nanosSince(start));
                }
            }
            return change;
        } finally {
            release(session);
        }
    }

    /** Whether memcached's session under {@code id} is the version this stay read, or the one it last wrote. */
    private boolean holdsThisStaysVersion(String id, BackupState state) {
        try {
            Versioned current = store.startGets(keys.nodeId(id), keys.key(id)).await(asyncTimeoutMillis);
            return current != null && (state.loadedCas != 0 ? current.cas() == state.loadedCas
                    : Arrays.equals(current.value(), state.storedBlob));
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not read the version of session " + id, e);
            return false;
        }
    }

    /**
     * A sticky session moving off its node (it failed, or this Tomcat found it down): only the node part of the id
     * changes. Tomcat's own id changes (a login, {@code changeSessionId()}) change the random part: the old id
     * must never find the session then.
     */
    private static boolean isMove(String oldId, String newId) {
        SessionId before = SessionId.parse(oldId);
        SessionId after = SessionId.parse(newId);
        return before != null && after != null && before.nodeId() != null && !before.nodeId().equals(after.nodeId())
                && before.withNodeId(after.nodeId()).equals(after);
    }

    /**
     * Deletes a stored session by id, bounded by the operation timeout; failures are logged.
     *
     * @return whether memcached answered (false: a copy may be left under the id)
     */
    public boolean deleteKey(String id) {
        if (!keys.hasNode(id)) {
            return true;
        }
        long start = System.nanoTime();
        try {
            deleteStored(id);
            statistics.sessionDeleted(nanosSince(start));
            return true;
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not delete " + id + " from memcached", e);
            return false;
        }
    }

    /** Deletes a session that is gone: what is stored under its id, its second or backup copy included. */
    private void deleteSession(String id) throws StoreException {
        if (relocations == null || !keys.hasNode(id)) {
            deleteStored(id);
        } else if (!deleteEveryCopy(id, null)) {
            throw new StoreException("memcached node " + keys.nodeId(id) + " did not delete " + id
                    + "; it is deleted when the node answers again");
        }
    }

    /**
     * Sticky mode with more than one node: deletes what is stored under {@code id} on every node, the session's own
     * copy and its second copy wherever it went (only the node part of the id differs), but not under the id
     * {@code keep} (the session's id now, when it moved to the node of its second copy). All deletes are sent before
     * the first is awaited. A copy that cannot be deleted now is deleted when its node answers again.
     *
     * @return whether the copy on the node {@code id} names is deleted (or kept as {@code keep})
     */
    private boolean deleteEveryCopy(String id, String keep) {
        String ownNode = keys.nodeId(id);
        boolean ownDeleted = true;
        List<String> ids = new ArrayList<>();
        List<Pending<Boolean>> deletes = new ArrayList<>();
        for (String nodeId : relocations.nodeIds()) {
            String copy = Relocations.onNode(id, nodeId);
            if (copy.equals(keep)) {
                continue;
            }
            try {
                deletes.add(store.startDelete(nodeId, keys.key(copy)));
                ids.add(copy);
            } catch (StoreException | RuntimeException e) {
                relocations.leftBehind(copy); // its node is down
                ownDeleted &= !nodeId.equals(ownNode);
            }
        }
        for (int i = 0; i < deletes.size(); i++) {
            try {
                deletes.get(i).await(asyncTimeoutMillis);
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "could not delete " + ids.get(i) + " from memcached", e);
                relocations.leftBehind(ids.get(i));
                ownDeleted &= !keys.nodeId(ids.get(i)).equals(ownNode);
            }
        }
        return ownDeleted;
    }

    /** Deletes the stored session and, in non-sticky mode, its backup copy: both sent, then both awaited. */
    private void deleteStored(String id) throws StoreException {
        Pending<Boolean> primary = store.startDelete(keys.nodeId(id), keys.key(id));
        Pending<Boolean> copy = copies == null ? null : copies.startDelete(id);
        primary.await(asyncTimeoutMillis);
        if (copy != null) {
            copy.await(asyncTimeoutMillis);
        }
    }

    /** Writes what is queued (bounded by the operation timeout per session) and stops the writer threads. */
    @Override
    public void close() {
        if (relocations != null) {
            relocations.close();
        }
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
        if (failureWarnings.permits()) {
            LOG.warning(message + ": " + e.getMessage() + " (similar failures are counted in msmStatNumBackupFailures "
                    + "and logged at most every 10 s)");
        } else {
            LOG.log(Level.FINE, message, e);
        }
    }
}
