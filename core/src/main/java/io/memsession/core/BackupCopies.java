package io.memsession.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The second copy of each non-sticky session ({@code bak:<key>}), on the next node after the session's own in
 * {@code memcachedNodes} order that is up, so a session survives the loss of its node.
 *
 * <p>With {@code backupCopyBeforeResponse} (the default) a changed session's copy is sent together with the session's
 * own write and awaited with it, before the response: a change the client saw acknowledged is in two places. A copy
 * that cannot be written then does not fail the request; it is written again off the request path.
 *
 * <p>Otherwise copies are written off the request path by one thread. A session's copy goes out as soon as the thread
 * is free, unless its last one went out less than {@link #COOLDOWN_MILLIS} ago: then what its requests ask in the
 * meantime is merged and goes out when that time is up. So a busy session (a burst of AJAX requests, a client
 * hammering) costs one copy write per period instead of one per request, its copy at most that far behind.
 *
 * <p>Either way that thread keeps copies alive for requests that did not change their session, in batches: every
 * operation of a batch is sent before the first answer is awaited. A copy missing on the node where it belongs (the
 * node was down, or restarted) is written again the next time its session is used.
 */
final class BackupCopies implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BackupCopies.class.getName());
    private static final int MAX_BATCH = 64;
    /** Beyond this many waiting sessions new ones are dropped: copies are a safety net, never a brake on requests. */
    private static final int MAX_QUEUED = 100_000;
    /**
     * The shortest time between two copy writes of one session: what a node's death can cost a session changed more
     * often than that. Copies are a third of non-sticky mode's memcached commands when written for every change;
     * merging those of busy sessions over this time gave the benchmark about a tenth of its throughput back.
     */
    public static final long COOLDOWN_MILLIS = 50;
    private static final long COOLDOWN_NANOS = TimeUnit.MILLISECONDS.toNanos(COOLDOWN_MILLIS);

    private final SessionStore store;
    private final StorageKeys keys;
    private final long operationTimeoutMillis;
    private final boolean beforeResponse;
    /**
     * What is to be done for each session, merged over its requests; {@link #cooldownMark} for a session whose copy
     * went out less than {@link #COOLDOWN_MILLIS} ago and that no request has asked anything of since.
     */
    private final ConcurrentHashMap<String, Task> waiting = new ConcurrentHashMap<>();
    /** Sessions whose task may go out now, in the order they began to wait. */
    private final BlockingQueue<String> ready = new LinkedBlockingQueue<>(MAX_QUEUED);
    /** Sessions cooling down, in the order their cooldowns end; the worker's own. */
    private final ArrayDeque<Cooldown> coolingDown = new ArrayDeque<>();
    private final Task cooldownMark = new Task(null, null, 0, false, false);
    private final Thread worker;
    private volatile boolean closed;

    /**
     * @param beforeResponse whether a changed session's copy is written with the session, before the response
     */
    public BackupCopies(SessionStore store, StorageKeys keys, long operationTimeoutMillis,
                        boolean beforeResponse, String threadName) {
        this.store = store;
        this.keys = keys;
        this.operationTimeoutMillis = operationTimeoutMillis;
        this.beforeResponse = beforeResponse;
        this.worker = DaemonThreads.newThread(this::run, threadName);
        if (store.nodes().mayMoveSessions()) {
            worker.start();
        }
    }

    /**
     * Every node id in {@code memcachedNodes} order (a configuration endpoint's in the order of their ids, those gone
     * included); empty for a single node without id, which has no copies.
     */
    private List<String> ring() {
        return store.nodes().ids();
    }

    /** The node that holds the copy of a session on {@code sessionNodeId} now; null when no other node is up. */
    String backupNode(String sessionNodeId) {
        List<String> ring = ring();
        int start = ring.indexOf(sessionNodeId);
        for (int i = 1; start >= 0 && i < ring.size(); i++) {
            String candidate = ring.get((start + i) % ring.size());
            if (store.isAvailable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * A copy expires a second before its session: memcached counts expirations in whole seconds, so a copy set or
     * touched a moment after its session could otherwise outlive it by up to a second, and bring back a session that
     * just expired (a request finding no session falls back to its copy, as after a node restarted empty).
     */
    static int copyExpiration(int sessionExpiration) {
        return sessionExpiration > 1 ? sessionExpiration - 1 : sessionExpiration;
    }

    /**
     * The session's write with {@code blob} was just sent. Before the response: its copy is sent now too, on another
     * node, so one round trip serves both; else the copy follows the write off the request path.
     *
     * @return the copy under way, for {@link #written} or {@link #refused}; null when none was sent
     */
    CopyWrite startWithWrite(String sessionId, byte[] blob, int ttlSeconds) {
        if (!beforeResponse || ring().size() <= 1 || closed) {
            return null;
        }
        waiting.remove(sessionId); // an older copy on its way must not land after this one
        String node = backupNode(keys.nodeId(sessionId));
        if (node == null) {
            return null;
        }
        try {
            return new CopyWrite(store.startSet(node, keys.backupKey(sessionId), copyExpiration(ttlSeconds),
                    blob));
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not send the backup copy of " + sessionId, e);
            return null;
        }
    }

    /**
     * The session was written with {@code blob}: its copy, sent with the write ({@code sent}), is awaited; or it is
     * queued, when copies are written off the request path.
     *
     * @return false when the copy could not be written before the response: the session is in one place until the
     *         copy, queued again, is written off the request path
     */
    boolean written(String sessionId, byte[] blob, int ttlSeconds, CopyWrite sent) {
        if (!beforeResponse) {
            offer(new Task(sessionId, blob, ttlSeconds, false, true));
            return true;
        }
        if (ring().size() <= 1) {
            return true;
        }
        if (sent != null && sent.await(sessionId, operationTimeoutMillis)) {
            return true;
        }
        offer(new Task(sessionId, blob, ttlSeconds, false, true));
        return false;
    }

    /**
     * The session's write was refused (another Tomcat wrote it first, or removed it): a copy sent with it holds what
     * memcached refused, so it is deleted. The session is in one place until the next use of it writes its copy.
     */
    void refused(String sessionId, CopyWrite sent) {
        if (sent == null) {
            return;
        }
        sent.await(sessionId, operationTimeoutMillis);
        try {
            Pending<Boolean> delete = startDelete(sessionId);
            if (delete != null) {
                delete.await(operationTimeoutMillis);
            }
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not delete the backup copy of " + sessionId + " whose write was refused", e);
        }
    }

    /** A backup copy sent with its session's write, both awaited before the response. */
    static final class CopyWrite {
        private final Pending<Boolean> pending;

        CopyWrite(Pending<Boolean> pending) {
            this.pending = pending;
        }

        /**
         * Waits for what is left of {@code timeoutMillis} since the copy was sent (the store counts a timeout from
         * then): it was in flight with the write.
         */
        boolean await(String sessionId, long timeoutMillis) {
            try {
                return pending.await(timeoutMillis);
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "could not write the backup copy of " + sessionId, e);
                return false;
            }
        }
    }

    /**
     * A request used the session without changing it: its stored copy and its backup copy live on from now, and a
     * missing backup copy is written with {@code blob} (null when unknown).
     */
    void used(String sessionId, byte[] blob, int ttlSeconds) {
        offer(new Task(sessionId, blob, ttlSeconds, true, false));
    }

    private void offer(Task task) {
        if (closed) {
            return;
        }
        if (ring().size() <= 1) {
            if (task.touchPrimary) {
                touchPrimaryNow(task);
            }
            return;
        }
        boolean[] began = {false};
        waiting.compute(task.sessionId, (id, earlier) -> {
            began[0] = earlier == null;
            return earlier == null || earlier == cooldownMark ? task : earlier.then(task);
        });
        if (began[0] && !ready.offer(task.sessionId)) {
            waiting.remove(task.sessionId);
            LOG.fine("backup copy of " + task.sessionId + " dropped: too many waiting");
        }
    }

    /** A single node: no copies, but the session's own expiration still moves on (sent, not awaited). */
    private void touchPrimaryNow(Task task) {
        try {
            store.startTouch(keys.nodeId(task.sessionId), keys.key(task.sessionId), task.ttlSeconds);
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not touch " + task.sessionId, e);
        }
    }

    /** Sends the deletion of a session's copy; null when there is no copy to delete. */
    Pending<Boolean> startDelete(String sessionId) throws StoreException {
        waiting.remove(sessionId); // a copy on its way must not bring the session back
        String node = ring().size() > 1 ? backupNode(keys.nodeId(sessionId)) : null;
        return node == null ? null : store.startDelete(node, keys.backupKey(sessionId));
    }

    /**
     * Looks for the copy of a session whose node is down, on the following nodes in ring order.
     *
     * @return the copy, or null when no node that is up has one
     */
    public Copy find(String sessionId) {
        String sessionNode = keys.nodeId(sessionId);
        List<String> ring = ring();
        int start = ring.indexOf(sessionNode);
        for (int i = 1; start >= 0 && i < ring.size(); i++) {
            String candidate = ring.get((start + i) % ring.size());
            if (store.isAvailable(candidate)) {
                try {
                    byte[] blob = store.get(candidate, keys.backupKey(sessionId));
                    if (blob != null) {
                        return new Copy(candidate, blob);
                    }
                } catch (StoreException e) {
                    LOG.log(Level.FINE, "could not read the copy of " + sessionId + " on " + candidate, e);
                }
            }
        }
        return null;
    }

    /** A backup copy found by {@link #find}. */
    public static final class Copy {
        private final String nodeId;
        private final byte[] blob;

        Copy(String nodeId, byte[] blob) {
            this.nodeId = nodeId;
            this.blob = blob;
        }

        /** The node that held the copy: the session moves there. */
        public String nodeId() {
            return nodeId;
        }

        public byte[] blob() {
            return blob;
        }
    }

    private void run() {
        List<Task> batch = new ArrayList<>(MAX_BATCH);
        while (!closed || !ready.isEmpty() || !coolingDown.isEmpty()) {
            Cooldown firstToEnd = coolingDown.peek();
            long waitNanos = closed ? 0 : firstToEnd == null ? TimeUnit.MILLISECONDS.toNanos(100)
                    : firstToEnd.endNanos - System.nanoTime();
            try {
                String first = ready.poll(waitNanos, TimeUnit.NANOSECONDS);
                if (first != null) {
                    take(first, batch);
                }
            } catch (InterruptedException e) {
                return;
            }
            String next;
            while (batch.size() < MAX_BATCH && (next = ready.poll()) != null) {
                take(next, batch);
            }
            long now = System.nanoTime();
            Cooldown ended;
            while (batch.size() < MAX_BATCH && (ended = coolingDown.peek()) != null
                    && (closed || ended.endNanos - now <= 0)) {
                coolingDown.poll();
                take(ended.sessionId, batch);
            }
            for (Task task : batch) {
                task.start();
            }
            for (Task task : batch) {
                task.finish();
            }
            batch.clear();
        }
    }

    /**
     * Takes what waits for the session into the batch; from now on, what its requests ask waits until its cooldown
     * ends. A session that nobody asked anything of during its cooldown is done with.
     */
    private void take(String sessionId, List<Task> batch) {
        Task task = closed ? waiting.remove(sessionId) : waiting.put(sessionId, cooldownMark);
        if (task == null || task == cooldownMark) {
            waiting.remove(sessionId, cooldownMark);
            return;
        }
        batch.add(task);
        if (!closed) {
            coolingDown.add(new Cooldown(sessionId, System.nanoTime() + COOLDOWN_NANOS));
        }
    }

    /** Writes what is waiting (each bounded by the operation timeout) and stops. */
    @Override
    public void close() {
        closed = true;
        if (worker.isAlive()) {
            try {
                worker.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A session whose copy went out, until {@code endNanos}. */
    private static final class Cooldown {
        final String sessionId;
        final long endNanos;

        Cooldown(String sessionId, long endNanos) {
            this.sessionId = sessionId;
            this.endNanos = endNanos;
        }
    }

    /**
     * What to do for one session: write its copy (it changed), or keep it and the session itself alive (it was used
     * unchanged), or both.
     */
    private final class Task {
        final String sessionId;
        final byte[] blob;
        final int ttlSeconds;
        final boolean touchPrimary;
        final boolean writeCopy;
        String backupNode;
        Pending<?> primaryTouch;
        Pending<?> copy;

        /** @param blob the session as stored, for the copy; may be null when only touching */
        Task(String sessionId, byte[] blob, int ttlSeconds, boolean touchPrimary, boolean writeCopy) {
            this.sessionId = sessionId;
            this.blob = blob;
            this.ttlSeconds = ttlSeconds;
            this.touchPrimary = touchPrimary;
            this.writeCopy = writeCopy;
        }

        /** This task merged with a later one for the same session. */
        Task then(Task later) {
            if (later.writeCopy || !writeCopy) {
                return later; // the newest write, or the newest keep-alive, covers everything before it
            }
            return new Task(sessionId, blob, later.ttlSeconds, true, true); // the write, and the later use
        }

        void start() {
            try {
                String sessionNode = keys.nodeId(sessionId);
                backupNode = backupNode(sessionNode);
                if (touchPrimary) {
                    primaryTouch = store.startTouch(sessionNode, keys.key(sessionId), ttlSeconds);
                }
                if (backupNode != null) {
                    int copyExpiration = copyExpiration(ttlSeconds);
                    copy = writeCopy ? store.startSet(backupNode, keys.backupKey(sessionId), copyExpiration, blob)
                            : store.startTouch(backupNode, keys.backupKey(sessionId), copyExpiration);
                }
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "could not keep the backup copy of " + sessionId, e);
            }
        }

        void finish() {
            try {
                boolean primaryKept = true;
                if (primaryTouch != null) {
                    primaryKept = !Boolean.FALSE.equals(primaryTouch.await(operationTimeoutMillis));
                }
                if (copy != null) {
                    Object answer = copy.await(operationTimeoutMillis);
                    if (!writeCopy && Boolean.FALSE.equals(answer) && blob != null && primaryKept) {
                        // the copy's node was down or restarted: the copy comes back (not for a session deleted
                        // meanwhile: invalidated, its copy must not bring it back)
                        store.startSet(backupNode, keys.backupKey(sessionId), copyExpiration(ttlSeconds), blob)
                                .await(operationTimeoutMillis);
                    }
                }
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "could not keep the backup copy of " + sessionId, e);
            }
        }
    }
}
