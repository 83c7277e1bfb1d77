package io.memsession.core.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.MemcachedNode;
import net.spy.memcached.CASResponse;
import net.spy.memcached.CASValue;
import net.spy.memcached.CachedData;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.OperationFactory;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.auth.PlainCallbackHandler;
import net.spy.memcached.internal.OperationFuture;
import net.spy.memcached.ops.OperationCallback;
import net.spy.memcached.ops.OperationStatus;
import net.spy.memcached.transcoders.Transcoder;

/**
 * {@link SessionStore} over spymemcached, with one client per memcached node.
 *
 * <p>A client per node makes routing a map lookup: the session id names its node, so no key is ever parsed, and a
 * storage key prefix can hold any character. Each client cancels operations to its node at once while the
 * connection is down ({@link FailureMode#Cancel}) and reconnects in the background.
 */
public final class MemcachedStore implements SessionStore {

    private static final Logger LOG = Logger.getLogger(MemcachedStore.class.getName());

    /** After a timeout a node is treated as down for this long, so requests stop waiting on it. */
    static final long SUSPECT_MILLIS = 1000;
    private static final long MAX_RECONNECT_DELAY_SECONDS = 1;

    /**
     * spymemcached only reads from a connection while it awaits an answer, so a node that dies while idle would
     * look alive until the next session write. A tiny exchange every so often lets the client see the closed
     * connection at once.
     */
    static final long PROBE_INTERVAL_MILLIS = 500;

    private final Map<String, NodeClient> clients;
    private final long operationTimeoutMillis;
    private final OperationFactory operations;
    private final ScheduledExecutorService prober;

    private MemcachedStore(Map<String, NodeClient> clients, long operationTimeoutMillis,
                           OperationFactory operations) {
        this.clients = clients;
        this.operationTimeoutMillis = operationTimeoutMillis;
        this.operations = operations;
        this.prober = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "memsession-node-probe");
            thread.setDaemon(true);
            return thread;
        });
        prober.scheduleWithFixedDelay(this::probeNodes, PROBE_INTERVAL_MILLIS, PROBE_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Probes with "version", not "get": memcached counts no statistic for it, so operators' get and hit counts show
     * the sessions' traffic only.
     */
    private void probeNodes() {
        for (NodeClient node : clients.values()) {
            if (node.isConnected()) {
                try {
                    // the answer does not matter, reading does
                    node.client.broadcastOp((target, latch) -> operations.version(new OperationCallback() {
                        @Override
                        public void receivedStatus(OperationStatus status) {
                        }

                        @Override
                        public void complete() {
                            latch.countDown();
                        }
                    }));
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "probe of " + node.node + " failed", e);
                }
            }
        }
    }

    /**
     * Connects to every node, waiting up to the operation timeout for each; a node that is down is logged and
     * connected later in the background.
     */
    public static MemcachedStore connect(Configuration config) throws IOException {
        routeSpymemcachedLogsToJavaLogging();
        ConnectionFactory factory = connectionFactory(config);
        Map<String, NodeClient> clients = new LinkedHashMap<>();
        try {
            for (MemcachedNode node : config.nodes().all()) {
                NodeMemcachedClient client = new NodeMemcachedClient(factory,
                        new InetSocketAddress(node.host(), node.port()));
                clients.put(node.id(), new NodeClient(node, client, config.operationTimeoutMillis()));
            }
        } catch (IOException | RuntimeException e) {
            for (NodeClient created : clients.values()) {
                created.client.shutdown(0, TimeUnit.MILLISECONDS);
            }
            throw e;
        }
        MemcachedStore store = new MemcachedStore(clients, config.operationTimeoutMillis(),
                factory.getOperationFactory());
        store.awaitConnections(config.operationTimeoutMillis());
        return store;
    }

    private static ConnectionFactory connectionFactory(Configuration config) {
        ConnectionFactoryBuilder builder = new ConnectionFactoryBuilder()
                .setProtocol(config.protocol() == Configuration.Protocol.BINARY
                        ? ConnectionFactoryBuilder.Protocol.BINARY : ConnectionFactoryBuilder.Protocol.TEXT)
                .setOpTimeout(config.operationTimeoutMillis())
                .setOpQueueMaxBlockTime(config.operationTimeoutMillis())
                .setFailureMode(FailureMode.Cancel)
                .setMaxReconnectDelay(MAX_RECONNECT_DELAY_SECONDS)
                .setDaemon(true);
        if (config.username() != null) {
            builder.setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"},
                    new PlainCallbackHandler(config.username(), config.password())));
        }
        return builder.build();
    }

    /** spymemcached logs to stderr unless told otherwise; Tomcat users expect java.util.logging. */
    private static void routeSpymemcachedLogsToJavaLogging() {
        if (System.getProperty("net.spy.log.LoggerImpl") == null) {
            System.setProperty("net.spy.log.LoggerImpl", SpymemcachedLogger.class.getName());
        }
    }

    private void awaitConnections(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        for (NodeClient node : clients.values()) {
            while (!node.isConnected() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (!node.isConnected()) {
                LOG.warning("memcached node " + node.node + " is not reachable; sessions go to the other nodes "
                        + "until it is");
            }
        }
    }

    @Override
    public byte[] get(String nodeId, String key) throws StoreException {
        NodeClient node = client(nodeId);
        return node.start(() -> node.client.asyncGet(key, RawBytes.INSTANCE), "get", key)
                .await(operationTimeoutMillis);
    }

    @Override
    public Pending<Versioned> startGets(String nodeId, String key) throws StoreException {
        NodeClient node = client(nodeId);
        Pending<CASValue<byte[]>> gets = node.start(() -> node.client.asyncGets(key, RawBytes.INSTANCE), "gets", key);
        return timeoutMillis -> {
            CASValue<byte[]> value = gets.await(timeoutMillis);
            return value == null ? null : new Versioned(value.getValue(), value.getCas());
        };
    }

    @Override
    public Pending<Boolean> startSet(String nodeId, String key, int ttlSeconds, byte[] value) throws StoreException {
        NodeClient node = client(nodeId);
        OperationFuture<Boolean> future;
        try {
            future = node.client.set(key, ttlSeconds, value, RawBytes.INSTANCE);
        } catch (RuntimeException e) {
            throw new StoreException("memcached set of " + key + " on node " + node.node + " failed: " + e, e);
        }
        return timeoutMillis -> {
            Boolean stored = node.await(future, "set", key, timeoutMillis);
            if (!Boolean.TRUE.equals(stored)) {
                throw new StoreException("memcached node " + node.node + " did not store " + key + " ("
                        + value.length + " bytes): " + future.getStatus().getMessage());
            }
            return Boolean.TRUE;
        };
    }

    @Override
    public Pending<Boolean> startAdd(String nodeId, String key, int ttlSeconds, byte[] value)
            throws StoreException {
        NodeClient node = client(nodeId);
        return node.start(() -> node.client.add(key, ttlSeconds, value, RawBytes.INSTANCE), "add", key);
    }

    @Override
    public Pending<Boolean> startCas(String nodeId, String key, long cas, int ttlSeconds, byte[] value)
            throws StoreException {
        NodeClient node = client(nodeId);
        Pending<CASResponse> response = node.start(
                () -> node.client.asyncCAS(key, cas, ttlSeconds, value, RawBytes.INSTANCE), "cas", key);
        return timeoutMillis -> response.await(timeoutMillis) == CASResponse.OK;
    }

    @Override
    public Pending<Boolean> startTouch(String nodeId, String key, int ttlSeconds) throws StoreException {
        NodeClient node = client(nodeId);
        return node.start(() -> node.client.touch(key, ttlSeconds), "touch", key);
    }

    @Override
    public Pending<Boolean> startDelete(String nodeId, String key) throws StoreException {
        NodeClient node = client(nodeId);
        return node.start(() -> node.client.delete(key), "delete", key);
    }

    @Override
    public boolean touch(String nodeId, String key, int ttlSeconds) throws StoreException {
        return Boolean.TRUE.equals(startTouch(nodeId, key, ttlSeconds).await(operationTimeoutMillis));
    }

    @Override
    public void delete(String nodeId, String key) throws StoreException {
        startDelete(nodeId, key).await(operationTimeoutMillis);
    }

    @Override
    public boolean isAvailable(String nodeId) {
        NodeClient node = clients.get(nodeId);
        return node != null && node.isAvailable();
    }

    @Override
    public void close() {
        prober.shutdownNow();
        for (NodeClient node : clients.values()) {
            // Pending writes can still reach a connected node; waiting for a node that is down only delays the stop.
            node.client.shutdown(node.isConnected() ? operationTimeoutMillis : 0, TimeUnit.MILLISECONDS);
        }
        // A stopping web application's class loader reports every thread still alive as a leak.
        for (NodeClient node : clients.values()) {
            node.client.awaitIoThreadEnd(operationTimeoutMillis);
        }
        try {
            prober.awaitTermination(operationTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private NodeClient client(String nodeId) throws StoreException {
        NodeClient node = clients.get(nodeId);
        if (node == null) {
            throw new StoreException("no memcached node with id " + nodeId);
        }
        if (!node.isAvailable()) {
            throw new StoreException("memcached node " + node.node + " is down");
        }
        return node;
    }

    /** A client of one node, whose IO thread can be waited for when it shuts down. */
    private static final class NodeMemcachedClient extends MemcachedClient {
        NodeMemcachedClient(ConnectionFactory factory, InetSocketAddress address) throws IOException {
            super(factory, Collections.singletonList(address));
        }

        void awaitIoThreadEnd(long millis) {
            try {
                mconn.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class NodeClient {
        final MemcachedNode node;
        final NodeMemcachedClient client;
        /** The client's one connection, read-only; asked on every request, so no list is built to ask it. */
        final net.spy.memcached.MemcachedNode connection;
        final long operationTimeoutMillis;
        volatile long suspectUntilMillis;

        NodeClient(MemcachedNode node, NodeMemcachedClient client, long operationTimeoutMillis) {
            this.node = node;
            this.client = client;
            this.connection = client.getNodeLocator().getAll().iterator().next();
            this.operationTimeoutMillis = operationTimeoutMillis;
        }

        boolean isConnected() {
            return connection.isActive();
        }

        boolean isAvailable() {
            return isConnected() && System.currentTimeMillis() >= suspectUntilMillis;
        }

        /** Sends the operation; its answer is awaited later, so several can be under way together. */
        <T> Pending<T> start(Operation<T> operation, String name, String key) throws StoreException {
            Future<T> future;
            try {
                future = operation.start();
            } catch (RuntimeException e) {
                throw new StoreException("memcached " + name + " of " + key + " on node " + node + " failed: " + e,
                        e);
            }
            return timeoutMillis -> await(future, name, key, timeoutMillis);
        }

        <T> T await(Future<T> future, String name, String key, long timeoutMillis) throws StoreException {
            try {
                return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                future.cancel(false);
                if (timeoutMillis >= operationTimeoutMillis) {
                    // a node silent for a whole operation timeout is unwell; a synchronous backup's shorter bound
                    // only says this request could not wait
                    suspectUntilMillis = System.currentTimeMillis() + SUSPECT_MILLIS;
                }
                LOG.log(Level.FINE, "memcached " + name + " timed out", e);
                throw new StoreException("memcached node " + node + " did not answer " + name + " " + key
                        + " within " + timeoutMillis + " ms");
            } catch (ExecutionException | RuntimeException e) {
                throw new StoreException("memcached " + name + " of " + key + " on node " + node
                        + " failed: " + (e.getCause() != null ? e.getCause() : e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted during memcached " + name + " of " + key, e);
            }
        }
    }

    /** Starts one spymemcached operation; starting can already fail (client shutting down, queue full). */
    private interface Operation<T> {
        Future<T> start();
    }

    /** Session blobs are stored as they are, with flags 0: their own header says what they hold. */
    private static final class RawBytes implements Transcoder<byte[]> {
        static final RawBytes INSTANCE = new RawBytes();

        @Override
        public boolean asyncDecode(CachedData data) {
            return false;
        }

        @Override
        public CachedData encode(byte[] value) {
            return new CachedData(0, value, getMaxSize());
        }

        @Override
        public byte[] decode(CachedData data) {
            return data.getData();
        }

        @Override
        public int getMaxSize() {
            return Integer.MAX_VALUE;
        }
    }
}
