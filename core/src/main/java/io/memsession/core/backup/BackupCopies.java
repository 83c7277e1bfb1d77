package io.memsession.core.backup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.store.Pending;
import io.memsession.core.store.SessionStore;
import io.memsession.core.store.StorageKeys;
import io.memsession.core.store.StoreException;

/**
 * The second copy of each non-sticky session ({@code bak:<key>}), on the next node after the session's own in
 * {@code memcachedNodes} order that is up, so a session survives the loss of its node. Copies are written and kept
 * alive off the request path by one thread, in batches: every operation of a batch is sent before the first answer
 * is awaited. A copy missing on the node where it belongs (the node was down, or restarted) is written again the
 * next time its session is used.
 */
public final class BackupCopies implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(BackupCopies.class.getName());
    private static final int MAX_BATCH = 64;
    /** Beyond this many waiting tasks new ones are dropped: copies are a safety net, never a brake on requests. */
    private static final int MAX_QUEUED = 100_000;

    private final SessionStore store;
    private final StorageKeys keys;
    private final List<String> ring;
    private final long operationTimeoutMillis;
    private final BlockingQueue<Task> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Thread worker;
    private volatile boolean closed;

    /**
     * @param ring every node id in {@code memcachedNodes} order; empty for a single node without id (no copies)
     */
    public BackupCopies(SessionStore store, StorageKeys keys, List<String> ring, long operationTimeoutMillis,
                        String threadName) {
        this.store = store;
        this.keys = keys;
        this.ring = ring;
        this.operationTimeoutMillis = operationTimeoutMillis;
        this.worker = new Thread(this::run, threadName);
        worker.setDaemon(true);
        if (ring.size() > 1) {
            worker.start();
        }
    }

    /** The node that holds the copy of a session on {@code sessionNodeId} now; null when no other node is up. */
    String backupNode(String sessionNodeId) {
        int start = ring.indexOf(sessionNodeId);
        for (int i = 1; start >= 0 && i < ring.size(); i++) {
            String candidate = ring.get((start + i) % ring.size());
            if (store.isAvailable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The session was written with {@code blob}: its copy follows. */
    void written(String sessionId, byte[] blob, int ttlSeconds) {
        offer(new Task(sessionId, blob, ttlSeconds, false));
    }

    /**
     * A request used the session without changing it: its stored copy and its backup copy live on from now, and a
     * missing backup copy is written with {@code blob} (null when unknown).
     */
    void used(String sessionId, byte[] blob, int ttlSeconds) {
        offer(new Task(sessionId, blob, ttlSeconds, true));
    }

    private void offer(Task task) {
        if (ring.size() > 1 && !closed && !queue.offer(task)) {
            LOG.fine("backup copy of " + task.sessionId + " dropped: too many waiting");
        } else if (ring.size() <= 1 && task.touch && !closed) {
            touchPrimaryNow(task);
        }
    }

    /** A single node: no copies, but the session's own expiration still moves on, in the request thread. */
    private void touchPrimaryNow(Task task) {
        try {
            store.startTouch(keys.nodeId(task.sessionId), keys.key(task.sessionId), task.ttlSeconds);
        } catch (StoreException | RuntimeException e) {
            LOG.log(Level.FINE, "could not touch " + task.sessionId, e);
        }
    }

    /** Sends the deletion of a session's copy; null when there is no copy to delete. */
    Pending<Boolean> startDelete(String sessionId) throws StoreException {
        String node = ring.size() > 1 ? backupNode(keys.nodeId(sessionId)) : null;
        return node == null ? null : store.startDelete(node, keys.backupKey(sessionId));
    }

    /**
     * Looks for the copy of a session whose node is down, on the following nodes in ring order.
     *
     * @return the copy, or null when no node that is up has one
     */
    public Copy find(String sessionId) {
        String sessionNode = keys.nodeId(sessionId);
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
        while (!closed || !queue.isEmpty()) {
            try {
                Task first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            for (Task task : batch) {
                task.start();
            }
            for (Task task : batch) {
                task.finish();
            }
            batch.clear();
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

    /** One session's copy to write, or (after an unchanged use) to keep alive along with the session itself. */
    private final class Task {
        final String sessionId;
        final byte[] blob;
        final int ttlSeconds;
        final boolean touch;
        String backupNode;
        Pending<?> primaryTouch;
        Pending<?> copy;

        Task(String sessionId, byte[] blob, int ttlSeconds, boolean touch) {
            this.sessionId = sessionId;
            this.blob = blob;
            this.ttlSeconds = ttlSeconds;
            this.touch = touch;
        }

        void start() {
            try {
                String sessionNode = keys.nodeId(sessionId);
                backupNode = backupNode(sessionNode);
                if (touch) {
                    primaryTouch = store.startTouch(sessionNode, keys.key(sessionId), ttlSeconds);
                }
                if (backupNode != null) {
                    copy = touch ? store.startTouch(backupNode, keys.backupKey(sessionId), ttlSeconds)
                            : store.startSet(backupNode, keys.backupKey(sessionId), ttlSeconds, blob);
                }
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "could not keep the backup copy of " + sessionId, e);
            }
        }

        void finish() {
            try {
                if (primaryTouch != null) {
                    primaryTouch.await(operationTimeoutMillis);
                }
                if (copy != null) {
                    Object answer = copy.await(operationTimeoutMillis);
                    if (touch && Boolean.FALSE.equals(answer) && blob != null) {
                        // the copy's node was down or restarted: the copy comes back
                        store.startSet(backupNode, keys.backupKey(sessionId), ttlSeconds, blob)
                                .await(operationTimeoutMillis);
                    }
                }
            } catch (StoreException | RuntimeException e) {
                LOG.log(Level.FINE, "could not keep the backup copy of " + sessionId, e);
            }
        }
    }
}
