package io.memsession.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;


/**
 * Sticky mode after a memcached node is lost: this Tomcat's sessions stored there move to another node at once,
 * without waiting for their users' next requests, and what they left there is deleted when the node answers again.
 *
 * <p>A session moves by a change of the node part of its id only ({@code <base>-n1.tc1} becomes
 * {@code <base>-n2.tc1}); this Tomcat remembers the old id of each session it moved, so that a request with it finds
 * the session and learns the new id. Another Tomcat that gets the old id (this one died meanwhile) finds the moved
 * copy because only the node part changed: it reads the id on every node that is up
 * ({@link SessionBackup#newestCopy}). A node that was paused, not restarted, still holds the copies the sessions
 * left there; they are deleted as soon as it answers again, and until then a reader takes the newest copy only.
 */
final class Relocations implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Relocations.class.getName());
    /** How often the nodes' availability is looked at (the store notices a node down within about a second). */
    static final long WATCH_INTERVAL_MILLIS = 200;
    /** Old ids remembered per node, and old ids of moved sessions: beyond these, readers search memcached. */
    private static final int MAX_REMEMBERED = 100_000;

    private final SessionStore store;
    private final StorageKeys keys;
    private final List<String> nodeIds;
    /** A node that is up other than the one given, or null; the same choice as for new sessions. */
    private final UnaryOperator<String> otherNode;
    private final long timeoutMillis;
    private final Map<String, String> movedTo = BoundedMaps.leastRecentlyUsed(MAX_REMEMBERED);
    /** By node id: keys of copies left on a node that could not be deleted when their session moved off it. */
    private final Map<String, Set<String>> leftBehind = new ConcurrentHashMap<>();
    private final Set<String> down = new HashSet<>();
    private volatile Iterable<? extends BackedUpSession> sessions = Collections.emptyList();
    private volatile SessionBackup backup;
    private final PeriodicTask watcher;

    Relocations(SessionStore store, StorageKeys keys, List<String> nodeIds, UnaryOperator<String> otherNode,
                long timeoutMillis, String threadName) {
        this.store = store;
        this.keys = keys;
        this.nodeIds = nodeIds;
        this.otherNode = otherNode;
        this.timeoutMillis = timeoutMillis;
        this.watcher = nodeIds.size() > 1 ? PeriodicTask.start(threadName, WATCH_INTERVAL_MILLIS, this::watch) : null;
    }

    void movesFor(SessionBackup owner) {
        this.backup = owner;
    }

    /** The sessions this Tomcat holds, read again at every node loss. */
    void sessions(Iterable<? extends BackedUpSession> held) {
        this.sessions = held;
    }

    /** The node a session on {@code nodeId} moves to, or null when no other is up. */
    String nodeInsteadOf(String nodeId) {
        return otherNode.apply(nodeId);
    }

    List<String> nodeIds() {
        return nodeIds;
    }

    /** A session moved off a node: its old id finds it from now on. */
    void moved(String oldId, String newId) {
        // back on a node it once left, under the same id: that copy is the session again, never to be deleted
        movedTo.remove(newId);
        Set<String> leftOnNewNode = leftBehind.get(keys.nodeId(newId));
        if (leftOnNewNode != null) {
            leftOnNewNode.remove(keys.key(newId));
        }
        movedTo.put(oldId, newId);
    }

    /** The copy under a moved session's old id could not be deleted: it is, when its node answers again. */
    void leftBehind(String oldId) {
        Set<String> left = leftBehind.computeIfAbsent(keys.nodeId(oldId), node -> ConcurrentHashMap.newKeySet());
        if (left.size() < MAX_REMEMBERED) {
            left.add(keys.key(oldId));
        }
    }

    /** The current id of a session this Tomcat moved, given any of its earlier ids; null if it moved none. */
    String currentId(String id) {
        String current = movedTo.get(id);
        for (int hops = 0; current != null && hops < nodeIds.size(); hops++) {
            String next = movedTo.get(current);
            if (next == null) {
                return current;
            }
            current = next;
        }
        return current;
    }

    private void watch() {
        boolean changed = false;
        for (String nodeId : nodeIds) {
            if (store.isAvailable(nodeId)) {
                changed |= down.remove(nodeId); // sessions that found no node up may move now
                deleteLeftBehind(nodeId);
            } else {
                changed |= down.add(nodeId);
            }
        }
        if (changed && !down.isEmpty()) {
            moveSessionsOffDownNodes();
        }
    }

    private void moveSessionsOffDownNodes() {
        SessionBackup owner = backup;
        if (owner == null) {
            return;
        }
        int moved = 0;
        for (BackedUpSession session : sessions) {
            String id = session.id();
            BackupState state = session.backupState();
            // one that never held anything stored has nothing to lose; it moves on its next request, as before
            if (session.isLive() && keys.hasNode(id) && down.contains(keys.nodeId(id))
                    && (state.mayBeStored() || state.needsWriteCheck()) && owner.relocate(session)) {
                moved++;
            }
        }
        if (moved > 0) {
            LOG.info(moved + " sessions moved off memcached nodes that are down " + down
                    + " without waiting for their next requests");
        }
    }

    /** A node answers again: the copies sessions left there when they moved off it are older than the moved ones. */
    private void deleteLeftBehind(String nodeId) {
        Set<String> left = leftBehind.get(nodeId);
        if (left == null || left.isEmpty()) {
            return;
        }
        List<String> sent = new ArrayList<>(left);
        List<Pending<Boolean>> deletes = new ArrayList<>(sent.size());
        try {
            for (String key : sent) {
                deletes.add(store.startDelete(nodeId, key));
            }
            for (Pending<Boolean> delete : deletes) {
                delete.await(timeoutMillis);
            }
            left.removeAll(sent);
            LOG.info("memcached node " + nodeId + " answers again: the " + sent.size() + " stale copies left there"
                    + " by sessions that moved off it are deleted");
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not delete the copies left on " + nodeId + "; tried again", e);
        }
    }

    /** The id of the same session on another node: only the node part differs. */
    static String onNode(String id, String nodeId) {
        return SessionId.parse(id).withNodeId(nodeId).toString();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.stop(timeoutMillis);
        }
    }
}
