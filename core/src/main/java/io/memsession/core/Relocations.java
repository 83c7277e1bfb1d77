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
 *
 * <p>Each stored session also has a second copy on the next node that is up, under the id it would get if it moved
 * there ({@link #secondCopyOf}): a session whose Tomcat died is in memcached only, and with two copies there the
 * death of its node before its next request loses nothing either. A node that answers again gets the second copies
 * that belong there.
 */
final class Relocations implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Relocations.class.getName());
    /** How often the nodes' availability is looked at (the store notices a node down within about a second). */
    static final long WATCH_INTERVAL_MILLIS = 200;
    /** Old ids remembered per node, and old ids of moved sessions: beyond these, readers search memcached. */
    private static final int MAX_REMEMBERED = 100_000;

    private final SessionStore store;
    private final StorageKeys keys;
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

    Relocations(SessionStore store, StorageKeys keys, UnaryOperator<String> otherNode, long timeoutMillis,
                String threadName) {
        this.store = store;
        this.keys = keys;
        this.otherNode = otherNode;
        this.timeoutMillis = timeoutMillis;
        this.watcher = PeriodicTask.start(threadName, WATCH_INTERVAL_MILLIS, this::watch);
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

    /**
     * The nodes sessions move between, in {@code memcachedNodes} order (a configuration endpoint's in the order of
     * their ids, those it no longer lists included: they count as down for good).
     */
    List<String> nodeIds() {
        return store.nodes().ids();
    }

    /** A session moved off a node: its old id finds it from now on. */
    void moved(String oldId, String newId) {
        // back on a node it once left, under the same id: that copy is the session again, never to be deleted
        movedTo.remove(newId);
        written(newId);
        movedTo.put(oldId, newId);
    }

    /** What is stored under the id was just written: it is current, never deleted as a stale copy. */
    void written(String id) {
        Set<String> left = leftBehind.get(keys.nodeId(id));
        if (left != null) {
            left.remove(keys.key(id));
        }
    }

    /**
     * The copy under the id may be stale (its session moved, was renamed or removed, or its second copy could not
     * be written there) and cannot be deleted now: it is, when its node answers again.
     */
    void leftBehind(String id) {
        Set<String> left = leftBehind.computeIfAbsent(keys.nodeId(id), node -> ConcurrentHashMap.newKeySet());
        if (left.size() < MAX_REMEMBERED) {
            left.add(keys.key(id));
        }
    }

    /**
     * The id of the session's second copy: its id with the node part of the next node after its own, in
     * {@code memcachedNodes} order, that is up; null when no other node is up. A node passed over because it is
     * down may keep a second copy of an earlier write: it is deleted when the node answers again.
     */
    String secondCopyOf(String id) {
        String own = keys.nodeId(id);
        List<String> nodeIds = nodeIds();
        int index = nodeIds.indexOf(own);
        if (index < 0) {
            return null;
        }
        String node = secondCopyNode(own);
        for (int i = index + 1; i < index + nodeIds.size(); i++) {
            String passed = nodeIds.get(i % nodeIds.size());
            if (passed.equals(node)) {
                break;
            }
            leftBehind(onNode(id, passed));
        }
        return node == null ? null : onNode(id, node);
    }

    /** The node of the second copy of a session on {@code nodeId}; null when no other node is up. */
    private String secondCopyNode(String nodeId) {
        List<String> nodeIds = nodeIds();
        int own = nodeIds.indexOf(nodeId);
        if (own < 0) {
            return null;
        }
        for (int i = 1; i < nodeIds.size(); i++) {
            String candidate = nodeIds.get((own + i) % nodeIds.size());
            if (store.isAvailable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The current id of a session this Tomcat moved, given any of its earlier ids; null if it moved none. */
    String currentId(String id) {
        String current = movedTo.get(id);
        for (int hops = 0; current != null && hops < nodeIds().size(); hops++) {
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
        List<String> back = new ArrayList<>();
        for (String nodeId : nodeIds()) {
            if (store.isAvailable(nodeId)) {
                if (down.remove(nodeId)) {
                    changed = true; // sessions that found no node up may move now
                    back.add(nodeId);
                }
                deleteLeftBehind(nodeId); // before the second copies are written there again
            } else {
                changed |= down.add(nodeId);
            }
        }
        if (changed && !down.isEmpty()) {
            moveSessionsOffDownNodes();
        }
        if (!back.isEmpty()) {
            writeSecondCopiesTo(back);
        }
    }

    /**
     * Nodes answer again (a restarted one is empty): the sessions whose second copy belongs on one of them get it
     * now, so that a crash of their Tomcat, then of their own node, loses nothing, rather than after their next
     * change.
     */
    private void writeSecondCopiesTo(List<String> back) {
        SessionBackup owner = backup;
        if (owner == null) {
            return;
        }
        int written = 0;
        for (BackedUpSession session : sessions) {
            String id = session.id();
            if (session.isLive() && keys.hasNode(id) && session.backupState().mayBeStored()
                    && back.contains(secondCopyNode(keys.nodeId(id)))) {
                owner.writeSecondCopy(session);
                written++;
            }
        }
        if (written > 0) {
            LOG.info("memcached nodes " + back + " answer again: " + written + " sessions are written there as their"
                    + " second copies");
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
        watcher.stop(timeoutMillis);
    }
}
