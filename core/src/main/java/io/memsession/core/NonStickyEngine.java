package io.memsession.core;

import static io.memsession.core.Elapsed.millisSince;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.config.Configuration;
import io.memsession.core.format.MsmSessionBlob;
import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.StoredSession;
import io.memsession.core.format.UnreadableSessionException;

/**
 * The engine of non-sticky mode ({@code sticky="false"}): a session belongs to no Tomcat. A request reads it from
 * memcached (after taking its lock, when {@code lockingMode} locks the request) and begins the session's stay in
 * this Tomcat; parallel requests here join the stay and share the session; each request writes its own changes
 * before its response, and the last one releases the lock and ends the stay (see {@link Stay}). A session whose node
 * is down, or lost it (restarted empty, evicted), is restored from its backup copy on the next node
 * ({@link BackupCopies}).
 */
final class NonStickyEngine extends SessionEngine {

    private static final Logger LOG = Logger.getLogger(NonStickyEngine.class.getName());
    /**
     * Non-sticky stored copies live as long as the session may stay idle, plus the second that memcached's
     * whole-second clock may cut off.
     */
    private static final int NON_STICKY_GRACE_SECONDS = 1;
    /** How often a busy stay looks whether other Tomcats wait for its lock: the longest turn a Tomcat gets. */
    private static final long FAIRNESS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Longer than a waiting Tomcat's pause between two attempts ({@link SessionLocks}), so it gets the lock. */
    private static final long GIVE_WAY_MILLIS = 25;

    private final BackupCopies copies;
    private final LockPolicy lockPolicy;
    /** Also under {@code lockingMode="none"}, where no request takes a lock and its renewer has nothing to do. */
    private final SessionLocks locks;
    private final RateLimit conflictWarnings = new RateLimit(10, TimeUnit.SECONDS);
    /**
     * Sessions this Tomcat restored from a backup copy lately, or found restored by another ({@link #beginStay}), old
     * id to new id, so that a parallel request with the old id finds the restored one.
     */
    private final Map<String, String> recentRestores = BoundedMaps.leastRecentlyUsed(1000);

    private NonStickyEngine(Parts parts, SessionBackup backup, BackupCopies copies, LockPolicy lockPolicy,
                            SessionLocks locks) {
        super(parts, backup);
        this.copies = copies;
        this.lockPolicy = lockPolicy;
        this.locks = locks;
    }

    static NonStickyEngine create(Parts parts, String threadNamePrefix) {
        Configuration config = parts.config;
        BackupCopies copies = new BackupCopies(parts.store, parts.keys, config.operationTimeoutMillis(),
                config.backupCopyBeforeResponse(), threadNamePrefix + "copies");
        LockPolicy lockPolicy = new LockPolicy(config.lockingMode());
        SessionLocks locks = new SessionLocks(parts.store, parts.statistics, config.lockExpirationSeconds(),
                config.operationTimeoutMillis(), threadNamePrefix + "locks");
        SessionBackup backup = new SessionBackup(parts.store, parts.keys, parts.transcoder, parts.serializerId,
                parts.blobs, parts.principalCodec, parts.statistics,
                SessionBackup.Settings.nonSticky(config, NON_STICKY_GRACE_SECONDS, copies));
        return new NonStickyEngine(parts, backup, copies, lockPolicy, locks);
    }

    // ---------------------------------------------------------------- the way of a request

    /**
     * Routes never matter, a non-sticky session belongs to no Tomcat; a session whose node is down is restored from
     * its backup copy, under a new id the client is told. A malformed id is never looked up.
     */
    @Override
    public <S extends EngineSession> void arriving(String requestedId, String jvmRoute, Visit<S> visit,
                                                  SessionContainer<S> container) {
        SessionId id = SessionId.parse(requestedId);
        if (id == null || id.nodeId() == null || !config.nodes().encodesNodeIds()
                || !store.nodes().contains(id.nodeId()) || store.isAvailable(id.nodeId())) {
            return;
        }
        String restoredId = restore(requestedId, visit, container);
        if (restoredId != null) {
            visit.changeSessionId(restoredId);
        }
    }

    /**
     * The session this request already uses; else the one parallel requests in this Tomcat use, joined; else read
     * from memcached, which begins its stay here. An ignored request uses none.
     */
    @Override
    public <S extends EngineSession> S find(String id, Visit<S> visit, SessionContainer<S> container) {
        if (visit.isIgnored()) {
            return null;
        }
        S mine = visit.joinedStay(id);
        if (mine != null || visit.isMissing(id)) {
            return mine;
        }
        String restoredId;
        synchronized (loadLock(id)) {
            S local = container.find(id);
            if (local != null && local.stay() != null) {
                Stay stay = local.stay();
                if (mayJoin(stay) && stay.join()) {
                    visit.joined(local);
                    return local;
                }
                stay.awaitEnd(); // its last request is writing it: read what it wrote
                giveWay(stay);
            }
            LoadedSession loaded = beginStay(id, visit.method(), visit.uri(), visit.query());
            if (loaded != null) {
                return added(loaded, visit, container);
            }
            // the session's node died after the request arrived, or it lost the session (restarted, or evicted
            // it): the backup copy serves, as on arrival. An invalidated session has no copy left to come back from.
            restoredId = restore(id, visit, container);
            if (restoredId == null) {
                visit.missing(id);
                return null;
            }
        }
        visit.changeSessionId(restoredId);
        return find(restoredId, visit, container); // joined already, unless a parallel request restored it
    }

    /** A session created by a request begins its stay with it: nobody else knows its id yet, so it needs no lock. */
    @Override
    public <S extends EngineSession> void created(S session, Visit<S> visit) {
        session.beginStay(Stay.forNewSession());
        if (visit != null) {
            visit.joined(session);
            visit.used(session);
        }
    }

    /** A session the application created on a thread of its own joins the stay of the request it belongs to. */
    @Override
    public <S extends EngineSession> void usedOnAnotherThread(S session, Visit<S> visit) {
        if (visit.used(session) && session.stay() != null && !session.stay().isJoinedByARequest()) {
            visit.joined(session);
        }
    }

    /**
     * Each request writes its own changes before its response; the last request of a session's stay also releases
     * the lock, and the session leaves this Tomcat (its listeners are told it passivates).
     */
    @Override
    public <S extends EngineSession> Changes requestFinished(Visit<S> visit, boolean hadSessionId,
                                                            SessionContainer<S> container) {
        if (visit.stays().isEmpty()) {
            long start = System.nanoTime();
            noSessionUsed(hadSessionId);
            if (hadSessionId) {
                statistics.sessionUntouched(millisSince(start));
            }
            return Changes.ACCEPTED;
        }
        statistics.requestFinished(true);
        Changes result = Changes.ACCEPTED;
        for (S session : visit.stays()) {
            Stay stay = session.stay();
            boolean last = stay.leave();
            if (last && session.isLive()) {
                container.passivate(session);
            }
            Changes changes = leaveStay(session, stay, last, visit.lastChange(session), visit.method(),
                    visit.uri());
            if (changes != Changes.ACCEPTED) {
                result = changes;
            }
            if (last) {
                container.remove(session);
                stay.ended();
            }
        }
        return result;
    }

    /** An invalidated session is deleted with its backup copy, then its lock is released. */
    @Override
    public void removed(EngineSession session, boolean timingOut) {
        Stay stay = session.stay();
        if (stay == null) { // created while memsession was disabled, or sticky
            backup.sessionRemoved(session, timingOut, session.lastUsedMillis());
        } else {
            sessionInvalidated(session, stay);
        }
    }

    /** A non-sticky session is here only while requests use it; they keep its stored copy alive. */
    @Override
    public boolean refreshExpiration(EngineSession session) {
        return false;
    }

    /**
     * Restores a session whose node is down or lost it from its backup copy, once: a parallel request with the old id
     * gets the restored session's id, and joins its stay or reads what it wrote.
     *
     * @return the new id, or null when there is no copy (the request gets a new session)
     */
    private <S extends EngineSession> String restore(String oldId, Visit<S> visit, SessionContainer<S> container) {
        synchronized (loadLock(oldId)) {
            String restoredInParallel = recentRestores.get(oldId);
            if (restoredInParallel != null) {
                return restoredInParallel;
            }
            LoadedSession loaded = restoreFromBackup(oldId, visit.method(), visit.uri(), visit.query());
            if (loaded == null) {
                return null;
            }
            added(loaded, visit, container);
            recentRestores.put(oldId, loaded.id());
            return loaded.id();
        }
    }

    private <S extends EngineSession> S added(LoadedSession loaded, Visit<S> visit, SessionContainer<S> container) {
        S session = container.restore(loaded);
        container.add(session);
        container.activate(session);
        visit.joined(session);
        return session;
    }

    // ---------------------------------------------------------------- reading for a stay

    @Override
    LoadedSession loaded(String storedId, String id, StoredSession stored, Map<String, Object> attributes,
                         PrincipalCodec.Authentication authentication, byte[] blob, long cas, Stay stay,
                         boolean holdsNothing, boolean importedFromMsm) {
        BackupState state = BackupState.forStayingSession(stored, blob, cas, stay.lock() != null, holdsNothing);
        if (!id.equals(storedId)) {
            state.movesToNewKey(stay.lock() != null);
        }
        // alive as long as memcached holds it: requests that only read it renew its expiration there, not its
        // stored access time
        long thisAccessedTime = Math.max(stored.thisAccessedTime(), System.currentTimeMillis());
        return new LoadedSession(id, stored, attributes, authentication, state, stay, thisAccessedTime,
                importedFromMsm);
    }

    /** Msm wrote a non-sticky session only when it changed; the times of its later requests are beside it. */
    @Override
    AccessTimes msmAccessTimes(String storedId, String id, MsmSessionBlob.MsmSession msm) {
        long lastAccessedTime = msm.lastAccessedTime();
        long thisAccessedTime = msm.thisAccessedTime();
        int maxInactiveInterval = msm.maxInactiveInterval();
        byte[] validity = msmValidity(storedId, id);
        if (validity != null && validity.length == 20) {
            ByteBuffer times = ByteBuffer.wrap(validity);
            maxInactiveInterval = times.getInt();
            lastAccessedTime = times.getLong();
            thisAccessedTime = times.getLong();
        }
        if (!msm.isValid() || maxInactiveInterval > 0
                && System.currentTimeMillis() - thisAccessedTime >= maxInactiveInterval * 1000L) {
            LOG.fine("session " + storedId + " that memcached-session-manager wrote has expired");
            return null;
        }
        return new AccessTimes(lastAccessedTime, thisAccessedTime, maxInactiveInterval);
    }

    /** Msm's access times of a non-sticky session, or of its backup copy when the session is restored from it. */
    private byte[] msmValidity(String storedId, String id) {
        boolean ofBackupCopy = !id.equals(storedId);
        try {
            return store.get(keys.nodeId(id), keys.msmValidityKey(storedId, ofBackupCopy));
        } catch (StoreException e) {
            LOG.log(Level.FINE, "cannot read memcached-session-manager's access times of session " + storedId, e);
            return null;
        }
    }

    /**
     * Reads a session for a request, after taking its lock when {@code lockingMode} locks this
     * request. Uncontended, the lock and the read cost one round trip: both are sent before the first answer is
     * awaited. A contended lock is retried until {@code lockTimeout}; then the request goes on without it, and a
     * change it makes is refused ({@link #leaveStay}).
     *
     * <p>The same round trip reads the id the session would have if it had been restored from its copy (see
     * {@link #movedSince}): a node that was paused still holds the state from before the pause.
     *
     * @return null when memcached has no readable session under this id, or the node cannot be reached, or the
     *         session moved: then {@link #recentRestores} has its new id
     */
    LoadedSession beginStay(String id, String method, String uri, String query) {
        if (!canLoad(id)) {
            return null;
        }
        long start = System.nanoTime();
        String copyNode = copies.backupNode(keys.nodeId(id));
        String restoredId = copyNode == null ? null : Relocations.onNode(id, copyNode);
        Pending<Versioned> restored = null;
        try {
            restored = restoredId == null ? null : store.startGets(copyNode, keys.key(restoredId));
        } catch (StoreException e) {
            LOG.log(Level.FINE, "cannot look for session " + restoredId, e);
        }
        LockedRead read = readLocked(id, method, uri, query, start);
        if (read == null) {
            return null;
        }
        if (read.stored == null) {
            releaseQuietly(read.stay.lock());
            return null;
        }
        if (restored != null && movedSince(id, read.stored, restoredId, restored)) {
            releaseQuietly(read.stay.lock());
            recentRestores.put(id, restoredId);
            return null;
        }
        return readForStay(id, id, read.stored.value(), read.stored.cas(), read.stay, start);
    }

    /**
     * Whether the session was restored from its copy under {@code restoredId} since {@code stored} was written: its
     * node did not answer for a while (paused, cut off), another request restored it, and the node now answers
     * with what it held before. The newer of the two wins, as in sticky mode ({@link SessionBackup#newestCopy});
     * the older one is deleted, so the old id finds nothing on its node and goes the way of any old id of a
     * restored session: to the copy, and from there to the restored session.
     */
    private boolean movedSince(String id, Versioned stored, String restoredId, Pending<Versioned> restored) {
        Versioned moved;
        try {
            moved = restored.await(config.operationTimeoutMillis());
        } catch (StoreException e) {
            LOG.log(Level.FINE, "cannot look for session " + restoredId, e);
            return false;
        }
        if (moved == null) {
            return false; // the normal case: it never moved
        }
        // the restored key may be where the session came from, not where it went: restored from there onto this
        // node, it is read again by a Tomcat that does not know yet that the session left it. Only the newer one
        // tells which. When neither is newer, both hold the same write (one the node missed reached it late), and the
        // restored key serves, where the next writes go.
        StoredSession here = backup.storedForm(stored.value());
        StoredSession there = backup.storedForm(moved.value());
        boolean newer = there != null && (here == null || !here.isNewerThan(there));
        String stale = newer ? id : restoredId;
        try {
            store.startDelete(keys.nodeId(stale), keys.key(stale)).await(config.operationTimeoutMillis());
            LOG.info("session " + id + " was restored as " + restoredId + " while its node did not answer; the "
                    + "older of the two, " + stale + ", is deleted");
        } catch (StoreException e) {
            LOG.log(Level.FINE, "could not delete the stale copy " + stale, e);
        }
        return newer;
    }

    /** A non-sticky session's stored form as read, and the stay its request begins (with the lock, if taken). */
    private static final class LockedRead {
        final Versioned stored;
        final Stay stay;

        LockedRead(Versioned stored, Stay stay) {
            this.stored = stored;
            this.stay = stay;
        }
    }

    /**
     * Takes the session's lock when {@code lockingMode} locks this request, and reads the session.
     *
     * @return null when the node cannot be reached; {@link LockedRead#stored} is null when memcached has no session
     *         under this id, the lock held all the same
     */
    private LockedRead readLocked(String id, String method, String uri, String query, long start) {
        String nodeId = keys.nodeId(id);
        SessionLock lock = lockPolicy.locks(method, uri, query)
                ? locks.newLock(nodeId, keys.lockKey(id), keys.lockWaitKey(id)) : null;
        if (lock == null && lockPolicy.locksAtAll()) {
            statistics.unlockedRequest();
        }
        boolean lockTimedOut = false;
        Versioned stored;
        try {
            if (lock != null) {
                Pending<Boolean> attempt = locks.startAttempt(lock);
                Pending<Versioned> read = store.startGets(nodeId, keys.key(id));
                if (attempt.await(config.operationTimeoutMillis())) {
                    stored = read.await(config.operationTimeoutMillis());
                } else {
                    read.await(config.operationTimeoutMillis()); // read under somebody else's lock: read again
                    lockTimedOut = !locks.acquire(lock, start
                            + TimeUnit.MILLISECONDS.toNanos(config.lockTimeoutMillis()));
                    if (lockTimedOut) {
                        lockTimedOut(id, lock, start);
                        lock = null;
                    }
                    stored = store.startGets(nodeId, keys.key(id)).await(config.operationTimeoutMillis());
                }
                if (lock != null) {
                    statistics.lockAcquired(millisSince(start));
                }
            } else {
                stored = store.startGets(nodeId, keys.key(id)).await(config.operationTimeoutMillis());
            }
        } catch (StoreException e) {
            LOG.log(Level.FINE, "cannot read session " + id, e);
            releaseQuietly(lock);
            return null;
        }
        return new LockedRead(stored, new Stay(lock, lockTimedOut));
    }

    /**
     * Turns a blob read for a stay into the session; an unreadable one is deleted and its lock released.
     *
     * @return null when the blob cannot be read
     */
    private LoadedSession readForStay(String storedId, String id, byte[] blob, long cas, Stay stay,
                                         long start) {
        try {
            LoadedSession loaded = read(storedId, id, blob, start, stay, cas);
            if (loaded == null) {
                releaseQuietly(stay.lock());
                return null;
            }
            if (stay.lockTimedOut()) {
                loaded.backupState().refuseWrites(); // the lock's holder is changing it
            }
            return loaded;
        } catch (UnreadableSessionException e) {
            releaseQuietly(stay.lock());
            if (storedId.equals(id)) {
                unreadable(id, e);
            } else {
                statistics.unreadableSession();
                logUnreadable("the backup copy of session " + storedId + " cannot be read; its user gets a new "
                        + "session: " + e.getMessage(), e);
            }
            return null;
        }
    }

    private void lockTimedOut(String id, SessionLock lock, long start) {
        statistics.lockTimeout(millisSince(start));
        LOG.warning("request for session " + id + " waited " + config.lockTimeoutMillis() + " ms (lockTimeout) "
                + "for the lock " + lock + " that another request holds; it runs without the lock, and any change "
                + "it makes to the session is refused (counted in msmStatNumLockTimeouts)");
    }

    private void releaseQuietly(SessionLock lock) {
        if (lock == null) {
            return;
        }
        long start = System.nanoTime();
        try {
            locks.startRelease(lock).await(config.operationTimeoutMillis());
            statistics.lockReleased(millisSince(start));
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not release the lock " + lock + "; it expires", e);
        }
    }

    /**
     * Whether a request may join a stay of this Tomcat. A stay whose lock requests on other Tomcats
     * wait for takes no new requests, so that it ends and they get their turn: without this, a Tomcat busy with a
     * session would keep its lock for as long as its requests overlap, and the others would time out. Whether others
     * wait costs one read, at most every {@link #FAIRNESS_CHECK_NANOS}, by the request that asks.
     */
    boolean mayJoin(Stay stay) {
        SessionLock lock = stay.lock();
        if (lock != null && stay.othersCheckDue(FAIRNESS_CHECK_NANOS) && locks.othersWait(lock)) {
            stay.closeForOthers();
        }
        return !stay.isClosedForOthers();
    }

    /**
     * A request that waited for a stay that closed for other Tomcats ({@link #mayJoin}) pauses, so
     * that a Tomcat polling for the lock takes it before this one does.
     */
    void giveWay(Stay endedStay) {
        if (!endedStay.isClosedForOthers()) {
            return;
        }
        try {
            Thread.sleep(GIVE_WAY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Restores a session whose node is down, or lost it, from its backup copy. The session moves to the node
     * that held the copy: a new id, written there (and its own copy on the next node) when the request ends.
     *
     * <p>Other requests of the same client, sent with the old id before the client learnt the new one, may restore
     * the session on other Tomcats too. The first restore's session is the one they all continue: the new id is
     * read (under its lock, when this request locks) before the copy is used, and the copy's first write under the
     * new id is an {@code add}, refused if another Tomcat wrote the session first.
     *
     * @return the session under its new id ({@link LoadedSession#id()}), or null when no copy can be found
     */
    LoadedSession restoreFromBackup(String id, String method, String uri, String query) {
        SessionId parsed = SessionId.parse(id);
        if (parsed == null || parsed.nodeId() == null) {
            return null;
        }
        long start = System.nanoTime();
        BackupCopies.Copy copy = copies.find(id);
        if (copy == null) {
            return null;
        }
        String newId = parsed.withNodeId(copy.nodeId()).toString();
        LockedRead read = readLocked(newId, method, uri, query, start);
        if (read == null) {
            return null;
        }
        if (read.stored != null) {
            return readForStay(newId, newId, read.stored.value(), read.stored.cas(), read.stay, start);
        }
        LoadedSession restored = readForStay(id, newId, copy.blob(), 0, read.stay, start);
        if (restored != null) {
            statistics.memcachedFailover();
        }
        return restored;
    }

    /**
     * A request that used the session ended. Its changes are written now, before the response is
     * complete, so the client's next request, on any Tomcat, sees them; the last request of the stay releases the
     * lock in the same round trip. A write is a compare-and-set against the version read: it never overwrites
     * another Tomcat's write.
     *
     * @param last whether this request ends the session's stay in this Tomcat
     * @param lastChange the number of the request's last change to the session, 0 for none (see
     *        {@link BackupState#attributesAccessed()})
     * @return whether the request's changes were accepted; when refused, the caller must tell the client
     */
    Changes leaveStay(BackedUpSession session, Stay stay, boolean last, long lastChange, String method,
                           String uri) {
        long start = System.nanoTime();
        SessionLock lock = stay.lock();
        SessionBackup.Alongside release = last && lock != null ? () -> locks.startRelease(lock) : null;
        SessionBackup.Outcome outcome = backup.writeBeforeResponse(session, lastChange, release);
        statistics.requestEnded(millisSince(start));
        lockPolicy.requestEnded(method, uri, lock != null, outcome != SessionBackup.Outcome.UNCHANGED);
        if (outcome == SessionBackup.Outcome.OVERSIZED) {
            return Changes.OVERSIZED; // counted and logged where it was found
        }
        if (outcome != SessionBackup.Outcome.REFUSED) {
            return Changes.ACCEPTED;
        }
        statistics.writeConflict();
        String message = "the changes of a request to session " + session.id() + " are refused: "
                + (stay.lockTimedOut() ? "it ran without the session's lock (lockTimeout)"
                : "another request changed or removed the session since this one read it")
                + "; the client is told the request failed (counted in msmStatNumWriteConflicts)";
        if (conflictWarnings.permits()) {
            LOG.warning(message + "; similar refusals are logged at most every 10 s");
        } else {
            LOG.fine(message);
        }
        return Changes.CONFLICT;
    }

    /** The session was invalidated: it is deleted with its backup copy, then its lock is released. */
    private void sessionInvalidated(BackedUpSession session, Stay stay) {
        backup.sessionRemoved(session, false, 0);
        releaseQuietly(stay.lock());
    }

    @Override
    void closeModeParts() {
        copies.close();
        locks.close();
    }
}
