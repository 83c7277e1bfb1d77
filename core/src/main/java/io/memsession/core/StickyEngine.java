package io.memsession.core;

import static io.memsession.core.Elapsed.millisSince;

import java.util.Map;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.MemcachedNodes;
import io.memsession.core.format.MsmSessionBlob;
import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.StoredSession;

/**
 * The engine of sticky mode (the default): a session lives in the Tomcat its route names and is written to memcached
 * after the requests that change them, for the next Tomcat to take it over when this one is gone. A request that
 * arrives with another Tomcat's session takes it over (load, rename to this Tomcat's route); a session whose node is
 * down moves to another node.
 */
final class StickyEngine extends SessionEngine {

    private static final ArrivingSessionId KEEP = new ArrivingSessionId(ArrivingSessionId.Action.KEEP, null);

    /**
     * Sessions this Tomcat took over lately (old id to new id), so that a parallel request with the old id finds the
     * renamed one.
     */
    private final Map<String, String> recentTakeOvers = BoundedMaps.leastRecentlyUsed(1000);

    private StickyEngine(Parts parts, SessionBackup backup) {
        super(parts, backup);
    }

    static StickyEngine create(Parts parts, String threadNamePrefix) {
        Configuration config = parts.config;
        SessionBackup backup = new SessionBackup(parts.store, parts.keys, parts.transcoder, parts.serializerId,
                parts.blobs, parts.principalCodec, parts.statistics,
                SessionBackup.Settings.sticky(config, parts.graceSeconds, threadNamePrefix,
                        lostNode -> chooseNode(parts.store, lostNode)));
        return new StickyEngine(parts, backup);
    }

    // ---------------------------------------------------------------- the way of a request

    /**
     * Takes the session over from another Tomcat, or moves it off a memcached node that is down, and tells the
     * client its new id.
     */
    @Override
    public <S extends EngineSession> void arriving(String requestedId, String jvmRoute, Visit<S> visit,
                                                  SessionContainer<S> container) {
        boolean isLocal = container.find(requestedId) != null;
        // this Tomcat moved the session off a lost node since the client got the id
        String movedTo = isLocal ? null : backup.movedTo(requestedId);
        if (movedTo != null && container.find(movedTo) != null) {
            visit.changeSessionId(movedTo);
            arriving(movedTo, jvmRoute, visit, container);
            return;
        }
        ArrivingSessionId arriving = inspect(requestedId, jvmRoute, isLocal);
        S session;
        switch (arriving.action()) {
            case TAKE_OVER:
                session = takeOver(requestedId, arriving.target(), container);
                break;
            case RELOCATE:
                synchronized (loadLock(requestedId)) { // a parallel request with the old id finds it moved
                    session = container.find(requestedId);
                    // the node watcher or a writer thread may be moving it too: the first moves it, the request
                    // goes on under its new id either way
                    if (session != null && session.relocate(requestedId, arriving.target())) {
                        statistics.memcachedFailover();
                    }
                }
                break;
            default:
                return;
        }
        if (session != null) {
            visit.changeSessionId(session.id());
            visit.used(session);
        }
    }

    /**
     * This Tomcat's session, or the session read from memcached, once for parallel requests, and not for an ignored
     * request nor for an id this request found missing.
     */
    @Override
    public <S extends EngineSession> S find(String id, Visit<S> visit, SessionContainer<S> container) {
        S session = container.find(id);
        if (session == null && !visit.isIgnored() && !visit.isMissing(id) && mayHaveMade(id)) {
            // mayHaveMade, not canLoad: the id's node may be down and the session stored elsewhere since
            session = loadOnce(id, container);
            if (session == null) {
                visit.missing(id);
            } else if (!id.equals(session.id())) {
                visit.changeSessionId(session.id()); // found where it moved
            }
        }
        if (session != null) {
            visit.used(session);
        }
        return session;
    }

    @Override
    public <S extends EngineSession> void created(S session, Visit<S> visit) {
        if (visit != null) {
            visit.used(session);
        }
    }

    @Override
    public <S extends EngineSession> void usedOnAnotherThread(S session, Visit<S> visit) {
        visit.used(session);
    }

    /** Each session the request used is written now, queued for a writer thread, or skipped if unchanged. */
    @Override
    public <S extends EngineSession> Changes requestFinished(Visit<S> visit, boolean hadSessionId,
                                                            SessionContainer<S> container) {
        if (visit.used().isEmpty()) {
            noSessionUsed(hadSessionId);
        }
        for (S session : visit.used()) {
            long start = System.nanoTime();
            statistics.requestFinished(true);
            if (session.isLive()) {
                backup.afterRequest(session);
            }
            if (hadSessionId && !session.id().equals(visit.requestedSessionId())) {
                visit.changeSessionId(session.id()); // its write moved it off a lost node: the client learns now
            }
            statistics.requestEnded(millisSince(start));
        }
        return Changes.ACCEPTED;
    }

    /** See {@link SessionBackup#sessionRemoved}. */
    @Override
    public void removed(EngineSession session, boolean timingOut) {
        backup.sessionRemoved(session, timingOut, session.lastUsedMillis());
    }

    /** See {@link SessionBackup#refreshExpiration}. */
    @Override
    public boolean refreshExpiration(EngineSession session) {
        return backup.refreshExpiration(session);
    }

    /** Parallel requests for a session this Tomcat does not hold read it from memcached once, and share it. */
    private <S extends EngineSession> S loadOnce(String id, SessionContainer<S> container) {
        synchronized (loadLock(id)) {
            S session = container.find(id);
            String movedTo = session == null ? backup.movedTo(id) : null;
            if (movedTo != null) {
                session = container.find(movedTo); // a parallel request moved it off its lost node a moment ago
            }
            if (session == null) {
                session = loadValid(id, container);
                S held = session == null ? null : container.find(session.id());
                if (held != null) {
                    return held; // it moved off its node, and this Tomcat holds it under its new id
                }
                if (session != null) {
                    container.add(session);
                    container.activate(session);
                }
            }
            return session;
        }
    }

    /**
     * Memcached is asked first: a copy under the old id is newer than anything this Tomcat holds, even a session it
     * took over earlier (the session has been on another Tomcat since). Only when memcached has none did a parallel
     * request on this Tomcat take it over a moment ago (and delete the old copy).
     */
    private <S extends EngineSession> S takeOver(String oldId, String newId, SessionContainer<S> container) {
        synchronized (loadLock(oldId)) {
            S existing = container.find(newId);
            S session = loadValid(oldId, container);
            if (session == null) {
                boolean takenOverInParallel = existing != null && newId.equals(recentTakeOvers.get(oldId));
                return takenOverInParallel ? existing : null;
            }
            if (existing != null) {
                container.remove(existing); // a stale copy from an earlier visit: memcached's is the current one
            }
            container.add(session);
            container.rename(session, newId);
            container.activate(session);
            recentTakeOvers.put(oldId, newId);
            statistics.tomcatFailover();
            return session;
        }
    }

    /**
     * Reads a session from memcached, its newest copy on whichever node it moved to since the client got the id
     * ({@link SessionBackup#newestCopy}); null if it is not there, unreadable, or expired (then it is deleted).
     */
    private <S extends EngineSession> S loadValid(String id, SessionContainer<S> container) {
        String newest = backup.newestCopy(id);
        LoadedSession loaded = newest == null ? null : load(newest);
        if (loaded == null) {
            return null;
        }
        S session = container.restore(loaded);
        return session.isValid() ? session : null; // isValid() expires a timed-out session: its key is deleted
    }

    /**
     * Decides what a request's session id asks for before the request is processed.
     *
     * @param jvmRoute this Tomcat's route, or null
     * @param isLocal whether this Tomcat holds the session in memory
     */
    ArrivingSessionId inspect(String requestedId, String jvmRoute, boolean isLocal) {
        if (isLocal && isSettled(requestedId, jvmRoute)) {
            return KEEP;
        }
        SessionId id = SessionId.parse(requestedId);
        if (id == null || (!config.nodes().encodesNodeIds() && id.nodeId() != null)) {
            return new ArrivingSessionId(ArrivingSessionId.Action.MALFORMED, null);
        }
        boolean encodes = config.nodes().encodesNodeIds();
        MemcachedNodes nodes = store.nodes();
        boolean knownNode = id.nodeId() == null || nodes.contains(id.nodeId());
        if (!knownNode && !isLocal) {
            return new ArrivingSessionId(ArrivingSessionId.Action.MALFORMED, null);
        }
        // Without node ids every session is stored; with them, one created while all nodes were down is not.
        boolean mayBeStored = !encodes || id.nodeId() != null;
        if (jvmRoute != null && !jvmRoute.isEmpty() && !jvmRoute.equals(id.jvmRoute()) && mayBeStored) {
            SessionId target = id.withJvmRoute(jvmRoute);
            if (nodes.failoverIds().contains(id.nodeId())) {
                String primary = randomAvailable(nodes.primaryIds(), null);
                if (primary != null) {
                    target = target.withNodeId(primary); // leave this Tomcat's failover node
                }
            } else if (encodes && id.nodeId() != null && !store.isAvailable(id.nodeId())) {
                String node = chooseNode(id.nodeId()); // the copy moved off it; so does the session
                target = node == null ? target : target.withNodeId(node);
            }
            return new ArrivingSessionId(ArrivingSessionId.Action.TAKE_OVER, target);
        }
        if (encodes && isLocal && (id.nodeId() == null || !knownNode || !store.isAvailable(id.nodeId()))) {
            String node = chooseNode(id.nodeId());
            if (node != null) {
                return new ArrivingSessionId(ArrivingSessionId.Action.RELOCATE, id.withNodeId(node));
            }
        }
        return KEEP;
    }

    /**
     * The common case, asked on every request, so without a full parse: this Tomcat's own session, on its route,
     * on a node that is up.
     */
    private boolean isSettled(String id, String jvmRoute) {
        int dot = id.indexOf('.');
        if (jvmRoute != null && !jvmRoute.isEmpty()
                && (dot < 0 || dot != id.length() - jvmRoute.length() - 1 || !id.endsWith(jvmRoute))) {
            return false;
        }
        if (!config.nodes().encodesNodeIds()) {
            return true;
        }
        int dash = id.indexOf('-');
        int nodeEnd = dot < 0 ? id.length() : dot;
        if (dash < 0 || dash > nodeEnd) {
            return false;
        }
        for (String nodeId : store.nodes().primaryIds()) {
            if (nodeEnd - dash - 1 == nodeId.length() && id.regionMatches(dash + 1, nodeId, 0, nodeId.length())) {
                return store.isAvailable(nodeId);
            }
        }
        return false; // a failover node, or unknown: let the full inspection decide
    }

    // ---------------------------------------------------------------- reading

    @Override
    LoadedSession loaded(String storedId, String id, StoredSession stored, Map<String, Object> attributes,
                         PrincipalCodec.Authentication authentication, byte[] blob, long cas, Stay stay,
                         boolean holdsNothing, boolean importedFromMsm) {
        long storedExpiry = stored.maxInactiveInterval() <= 0 ? Long.MAX_VALUE
                : stored.thisAccessedTime() + (stored.maxInactiveInterval() + (long) graceSeconds.getAsInt())
                * 1000L;
        BackupState state = BackupState.forLoadedSession(stored, storedExpiry);
        return new LoadedSession(id, stored, attributes, authentication, state, null, stored.thisAccessedTime(),
                importedFromMsm);
    }

    @Override
    AccessTimes msmAccessTimes(String storedId, String id, MsmSessionBlob.MsmSession msm) {
        return new AccessTimes(msm.lastAccessedTime(), msm.thisAccessedTime(), msm.maxInactiveInterval());
    }

    @Override
    void closeModeParts() {
    }
}
