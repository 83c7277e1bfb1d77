package io.memsession.core;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.ConfigurationException;
import io.memsession.core.config.MemcachedNode;
import io.memsession.core.config.MemcachedNodes;
import net.spy.memcached.ClientMode;
import net.spy.memcached.ConnectionFactory;
import net.spy.memcached.ConnectionFactoryBuilder;
import net.spy.memcached.ConnectionObserver;
import net.spy.memcached.FailureMode;
import net.spy.memcached.MemcachedClient;
import net.spy.memcached.MemcachedConnection;
import net.spy.memcached.OperationFactory;
import net.spy.memcached.auth.AuthDescriptor;
import net.spy.memcached.auth.AuthThreadMonitor;
import net.spy.memcached.auth.PlainCallbackHandler;
import net.spy.memcached.ops.DeleteOperation;
import net.spy.memcached.ops.GetOperation;
import net.spy.memcached.ops.GetsOperation;
import net.spy.memcached.ops.Operation;
import net.spy.memcached.ops.OperationCallback;
import net.spy.memcached.ops.OperationStatus;
import net.spy.memcached.ops.StatusCode;
import net.spy.memcached.ops.StoreOperation;
import net.spy.memcached.ops.StoreType;

/**
 * {@link SessionStore} over spymemcached (AWS's fork, for TLS), with one client per memcached node.
 *
 * <p>A client per node makes routing a map lookup: the session id names its node, so no key is ever parsed, and a
 * storage key prefix can hold any character. Each client cancels operations to its node at once while the
 * connection is down ({@link FailureMode#Cancel}) and reconnects in the background. The fork's auto-discovery of
 * ElastiCache nodes stays off ({@link ClientMode#Static}): the nodes, their ids and the routing are memsession's.
 *
 * <p>The nodes can change while it runs: a configuration endpoint lists others, or a node's host name comes to
 * have another address. The nodes and their clients are then swapped as one {@link Cluster}, on a thread of its own,
 * so that a request sees the nodes before or after the change, never a mix, and pays nothing for it.
 */
final class MemcachedStore implements SessionStore {

    private static final Logger LOG = Logger.getLogger(MemcachedStore.class.getName());

    /** After a timeout a node is treated as down for this long, so requests stop waiting on it. */
    static final long SUSPECT_MILLIS = 1000;
    private static final long MAX_RECONNECT_DELAY_SECONDS = 1;
    /** Session blobs are stored as they are, with flags 0: their own header says what they hold. */
    private static final int FLAGS = 0;

    /**
     * spymemcached only reads from a connection while it awaits an answer, so a node that dies while idle would
     * look alive until the next session write. A tiny exchange every so often lets the client see the closed
     * connection at once.
     */
    static final long PROBE_INTERVAL_MILLIS = 500;

    /**
     * When a deadline passes, the answer may be in the socket all the same, unread: this JVM did not run for a while
     * (a long garbage collection pause, a stopped process), and spymemcached's IO thread, resumed together with the
     * waiting thread, has not read it yet. It gets this long to catch up before the node is blamed. Without it, a
     * pause longer than operationTimeout made every node with an operation under way suspect at once, and for a
     * second this Tomcat stored and found no session.
     */
    static final long CATCH_UP_MILLIS = 100;
    /** A prober round this much later than {@link #PROBE_INTERVAL_MILLIS} says this JVM did not run meanwhile. */
    private static final long LATE_ROUND_MILLIS = 200;

    /**
     * A node whose connection is lost has its host name looked up again this often; one that is connected, every
     * {@link #RESOLVE_CONNECTED_MILLIS} (an address can move while the old one still answers). The JVM caches a
     * look-up for {@code networkaddress.cache.ttl}, 30 s by default.
     */
    static final long RESOLVE_LOST_MILLIS = 1000;
    static final long RESOLVE_CONNECTED_MILLIS = 30_000;
    /**
     * A node the configuration endpoint no longer lists counts as down at once, so its sessions move as after its
     * death; but its client stays open this long: a non-sticky request that read its session there just before
     * must still write its change there, with the backup copy that the session is then restored from. Closed at
     * once, that write would fail after the read succeeded, and the change would be lost though answered.
     */
    static final long LEAVING_MILLIS = 10_000;

    private final Configuration config;
    private final long operationTimeoutMillis;
    /** The nodes and their clients, swapped as one when the nodes change: a request reads one or the other, whole. */
    private volatile Cluster cluster;
    /** Null for a fixed list of nodes. */
    private final ConfigEndpoint endpoint;
    private final long pollIntervalNanos;
    private long lastPollNanos = System.nanoTime();
    private final RateLimit endpointWarnings = new RateLimit(60, TimeUnit.SECONDS);
    /** Why the last poll failed, null when it did not: a new reason is logged at once, the same one once a minute. */
    private String endpointFailure;
    private final PeriodicTask prober;
    /** When the prober's last round began (prober thread only). */
    private long lastProbeNanos = System.nanoTime();
    /** Polls the configuration endpoint and follows host names' addresses; null when there is neither. */
    private final PeriodicTask refresher;
    private boolean closed;

    /** The nodes, and a client for each one present that could be created, by node id. */
    private static final class Cluster {
        final MemcachedNodes nodes;
        final Map<String, NodeClient> clients;

        Cluster(MemcachedNodes nodes, Map<String, NodeClient> clients) {
            this.nodes = nodes;
            this.clients = Collections.unmodifiableMap(clients);
        }
    }

    private MemcachedStore(Configuration config, Cluster cluster, ConfigEndpoint endpoint) {
        this.config = config;
        this.operationTimeoutMillis = config.operationTimeoutMillis();
        this.cluster = cluster;
        this.endpoint = endpoint;
        this.pollIntervalNanos = TimeUnit.MILLISECONDS.toNanos(config.configEndpointPollIntervalMillis());
        this.prober = PeriodicTask.start("memsession-node-probe", PROBE_INTERVAL_MILLIS, this::probeNodes);
        boolean resolves = false;
        for (MemcachedNode node : cluster.nodes.present()) {
            resolves |= node.isResolved();
        }
        this.refresher = endpoint != null || resolves ? PeriodicTask.start("memsession-node-discovery",
                Math.min(RESOLVE_LOST_MILLIS, config.configEndpointPollIntervalMillis()), this::refreshNodes) : null;
    }

    /**
     * Probes with "version", not "get": memcached counts no statistic for it, so operators' get and hit counts show
     * the sessions' traffic only. A node that keeps its connection open but answers nothing (a hung machine, a
     * paused process, a network that drops everything) is suspect while its probe is unanswered for longer than
     * the operation timeout, so that its sessions move off it even while no request writes to it. Not on a round
     * that comes late: then this JVM did not run for a while, and the answer may be unread
     * ({@link #CATCH_UP_MILLIS}); the next round tells.
     */
    private void probeNodes() {
        long now = System.nanoTime();
        boolean late = now - lastProbeNanos > TimeUnit.MILLISECONDS.toNanos(PROBE_INTERVAL_MILLIS + LATE_ROUND_MILLIS);
        lastProbeNanos = now;
        for (NodeClient node : cluster.clients.values()) {
            if (!node.isConnected()) {
                node.probeSentNanos = 0; // a probe lost with its connection is never answered
                continue;
            }
            long sent = node.probeSentNanos;
            if (sent != 0) {
                if (!late && System.nanoTime() - sent > TimeUnit.MILLISECONDS.toNanos(operationTimeoutMillis)) {
                    node.suspectUntilMillis = System.currentTimeMillis() + SUSPECT_MILLIS;
                }
                continue;
            }
            try {
                node.probeSentNanos = System.nanoTime();
                node.client.broadcastOp((target, latch) -> node.operations.version(new OperationCallback() {
                    @Override
                    public void receivedStatus(OperationStatus status) {
                    }

                    @Override
                    public void complete() {
                        node.probeSentNanos = 0; // answered, or given up with the connection
                        latch.countDown();
                    }
                }));
            } catch (RuntimeException e) {
                node.probeSentNanos = 0;
                LOG.log(Level.FINE, "probe of " + node.node + " failed", e);
            }
        }
    }

    /**
     * Connects to every node, waiting up to the operation timeout for each; a node that is down is logged and
     * connected later in the background, and so is a node whose TLS certificate is refused.
     *
     * @throws ConfigurationException when a node refuses the SASL credentials: they would never work, and every
     *         session would silently stay in this Tomcat only
     */
    public static MemcachedStore connect(Configuration config) throws IOException {
        routeSpymemcachedLogsToJavaLogging();
        MemcachedNodes nodes = config.nodes();
        ConfigEndpoint endpoint = null;
        if (nodes.configurationEndpoint() != null) {
            endpoint = new ConfigEndpoint(nodes.configurationEndpoint(), config);
            try {
                ClusterConfigReply reply = endpoint.fetch();
                nodes = nodes.listed(reply.nodes());
                LOG.info("configuration endpoint " + endpoint + " lists memcached nodes " + nodes.present()
                        + " (version " + reply.version() + ")");
            } catch (IOException e) {
                LOG.warning("configuration endpoint " + endpoint + " cannot be read (" + e.getMessage() + "): no "
                        + "session is stored until it can; it is asked again every "
                        + config.configEndpointPollIntervalMillis() + " ms");
            }
        }
        Map<String, NodeClient> clients = new LinkedHashMap<>();
        MemcachedStore store;
        try {
            for (MemcachedNode node : nodes.present()) {
                clients.put(node.id(), NodeClient.connect(node, config));
            }
            store = new MemcachedStore(config, new Cluster(nodes, clients), endpoint);
        } catch (IOException | RuntimeException e) {
            for (NodeClient created : clients.values()) {
                created.client.shutdown(0, TimeUnit.MILLISECONDS);
            }
            throw e;
        }
        try {
            store.awaitConnections(config);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private void refreshNodes() {
        if (endpoint != null && System.nanoTime() - lastPollNanos >= pollIntervalNanos) {
            lastPollNanos = System.nanoTime();
            pollEndpoint();
        }
        followAddressChanges();
        closeLeftNodes();
    }

    /**
     * Asks the configuration endpoint for its nodes and swaps them in when they changed. An endpoint that cannot be
     * reached or answers anything but a well-formed list changes nothing: the last list stays in use.
     */
    private void pollEndpoint() {
        ClusterConfigReply reply;
        try {
            reply = endpoint.fetch();
        } catch (IOException e) {
            String failure = String.valueOf(e.getMessage());
            if (endpointWarnings.permits() || !failure.equals(endpointFailure)) {
                LOG.warning("configuration endpoint " + endpoint + " cannot be read (" + failure
                        + "): the last list of memcached nodes stays in use, " + cluster.nodes.present());
            }
            endpointFailure = failure;
            return;
        }
        if (endpointFailure != null) {
            endpointFailure = null;
            LOG.info("configuration endpoint " + endpoint + " answers a node list again");
        }
        Cluster current = cluster;
        MemcachedNodes next = current.nodes.listed(reply.nodes());
        if (samePresent(current.nodes.present(), next.present())) {
            return;
        }
        List<String> joined = new ArrayList<>();
        List<String> left = new ArrayList<>();
        for (MemcachedNode node : next.present()) {
            if (!current.nodes.primaryIds().contains(node.id())) {
                joined.add(node.toString());
            }
        }
        for (MemcachedNode node : current.nodes.present()) {
            if (!next.primaryIds().contains(node.id())) {
                left.add(node.toString());
            }
        }
        LOG.info("configuration endpoint " + endpoint + " lists memcached nodes " + next.present() + " (version "
                + reply.version() + "): joined " + joined + ", left " + left + "; the sessions of a node that left "
                + "move to the others as after its failure");
        swap(next, null, null);
    }

    private static boolean samePresent(List<MemcachedNode> current, List<MemcachedNode> next) {
        if (current.size() != next.size()) {
            return false;
        }
        for (int i = 0; i < current.size(); i++) {
            if (!current.get(i).sameAs(next.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * A node given by host name whose name now has another address gets a new client there, under its id; the old
     * one is closed.
     */
    private void followAddressChanges() {
        long now = System.nanoTime();
        for (NodeClient node : cluster.clients.values()) {
            long sinceResolved = now - node.resolvedNanos;
            if (node.leaving || !node.node.isResolved() || sinceResolved < TimeUnit.MILLISECONDS.toNanos(node.isConnected()
                    ? RESOLVE_CONNECTED_MILLIS : RESOLVE_LOST_MILLIS)) {
                continue;
            }
            node.resolvedNanos = now;
            InetAddress address;
            try {
                address = InetAddress.getByName(node.node.host());
            } catch (UnknownHostException e) {
                LOG.log(Level.FINE, "cannot look up " + node.node.host(), e);
                continue;
            }
            if (!address.equals(node.address.getAddress())) {
                LOG.info("memcached node " + node.node + " has a new address, " + address.getHostAddress()
                        + " (it was " + node.address.getAddress().getHostAddress() + "): it is connected there");
                swap(cluster.nodes, node.node, new InetSocketAddress(address, node.node.port()));
            }
        }
    }

    /**
     * Makes {@code next} the nodes: a present node keeps its client unless its address changed (then the old one is
     * closed), a new one gets a client, and one no longer listed is leaving: down for every choice of a node at
     * once, its client closed after {@link #LEAVING_MILLIS}. Called on the refresher thread only.
     *
     * @param moved a node to connect to {@code movedTo} instead, or null
     */
    private void swap(MemcachedNodes next, MemcachedNode moved, InetSocketAddress movedTo) {
        Cluster current = cluster;
        Map<String, NodeClient> clients = new LinkedHashMap<>();
        for (MemcachedNode node : next.present()) {
            NodeClient existing = current.clients.get(node.id());
            if (existing != null && existing.node.sameAs(node) && node != moved) {
                existing.leaving = false; // listed again before its grace ended
                clients.put(node.id(), existing);
                continue;
            }
            try {
                NodeClient created = NodeClient.connect(node, config,
                        node == moved ? movedTo : new InetSocketAddress(node.connectHost(), node.port()));
                if (created.credentials != null) {
                    created.credentials.logRefusalsFromNowOn();
                }
                clients.put(node.id(), created);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "cannot create a client of memcached node " + node + "; it counts as down",
                        e);
            }
        }
        List<NodeClient> retired = new ArrayList<>();
        long now = System.nanoTime();
        for (NodeClient old : current.clients.values()) {
            String id = old.node.id();
            if (clients.containsKey(id)) {
                if (clients.get(id) != old) {
                    retired.add(old); // replaced: its address changed
                }
            } else {
                if (!old.leaving) {
                    old.leaving = true;
                    old.leftNanos = now;
                }
                if (now - old.leftNanos < TimeUnit.MILLISECONDS.toNanos(LEAVING_MILLIS)) {
                    clients.put(id, old);
                } else {
                    retired.add(old);
                }
            }
        }
        synchronized (this) {
            if (closed) {
                retired.clear();
                retired.addAll(clients.values());
                retired.removeAll(current.clients.values());
            } else {
                cluster = new Cluster(next, clients);
            }
        }
        for (NodeClient old : retired) {
            shutDown(old);
        }
    }

    /** Closes the clients of nodes that left once their grace is over. */
    private void closeLeftNodes() {
        long now = System.nanoTime();
        for (NodeClient node : cluster.clients.values()) {
            if (node.leaving && now - node.leftNanos >= TimeUnit.MILLISECONDS.toNanos(LEAVING_MILLIS)) {
                swap(cluster.nodes, null, null);
                return;
            }
        }
    }

    /** Pending writes can still reach a connected node; waiting for a node that is down only delays the stop. */
    private void shutDown(NodeClient node) {
        node.client.shutdown(node.isConnected() ? operationTimeoutMillis : 0, TimeUnit.MILLISECONDS);
        // A stopping web application's class loader reports every thread still alive as a leak.
        node.client.awaitIoThreadEnd(operationTimeoutMillis);
        node.client.awaitAuthThreadsEnd(operationTimeoutMillis);
    }

    /** spymemcached logs to stderr unless told otherwise; Tomcat users expect java.util.logging. */
    private static void routeSpymemcachedLogsToJavaLogging() {
        if (System.getProperty("net.spy.log.LoggerImpl") == null) {
            System.setProperty("net.spy.log.LoggerImpl", SpymemcachedLogger.class.getName());
        }
    }

    private void awaitConnections(Configuration config) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.operationTimeoutMillis());
        for (NodeClient node : cluster.clients.values()) {
            while (!node.isReady() && node.refusal() == null && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (node.credentials != null) {
                // from here on a refusal is logged, not thrown; set first, so that none falls between the two
                node.credentials.logRefusalsFromNowOn();
                if (node.credentials.refusal() != null) {
                    throw new ConfigurationException(node.credentials.refusalMessage());
                }
            }
            if (node.isReady()) {
                continue;
            }
            if (node.trust != null && node.trust.refusal() != null) {
                LOG.severe("memcached node " + node.node + " cannot be used: its TLS certificate is refused ("
                        + node.trust.refusal() + "); sessions go to the other nodes. Check tlsTrustStoreFile, "
                        + "and that the certificate names the host as memcachedNodes writes it");
            } else {
                LOG.warning("memcached node " + node.node + " is not reachable" + (config.tls() ? " over TLS" : "")
                        + "; sessions go to the other nodes until it is");
            }
        }
    }

    @Override
    public byte[] get(String nodeId, String key) throws StoreException {
        NodeClient node = client(nodeId);
        ValueReply reply = node.send(new ValueReply("get", key), answer -> node.operations.get(key, answer));
        node.awaitRead(reply, operationTimeoutMillis);
        return reply.data;
    }

    @Override
    public Pending<Versioned> startGets(String nodeId, String key) throws StoreException {
        NodeClient node = client(nodeId);
        VersionedReply reply = node.send(new VersionedReply("gets", key),
                answer -> node.operations.gets(key, answer));
        return timeoutMillis -> {
            node.awaitRead(reply, timeoutMillis);
            return reply.data == null ? null : new Versioned(reply.data, reply.cas);
        };
    }

    @Override
    public Pending<Boolean> startSet(String nodeId, String key, int ttlSeconds, byte[] value) throws StoreException {
        NodeClient node = client(nodeId);
        Reply reply = node.send(new Reply("set", key),
                answer -> node.operations.store(StoreType.set, key, FLAGS, ttlSeconds, value, answer));
        return timeoutMillis -> {
            OperationStatus status = node.await(reply, timeoutMillis);
            if (!status.isSuccess()) {
                throw new StoreException("memcached node " + node.node + " did not store " + key + " ("
                        + value.length + " bytes): " + status.getMessage());
            }
            return Boolean.TRUE;
        };
    }

    @Override
    public Pending<Boolean> startAdd(String nodeId, String key, int ttlSeconds, byte[] value)
            throws StoreException {
        NodeClient node = client(nodeId);
        Reply reply = node.send(new Reply("add", key),
                answer -> node.operations.store(StoreType.add, key, FLAGS, ttlSeconds, value, answer));
        return timeoutMillis -> node.await(reply, timeoutMillis).isSuccess();
    }

    @Override
    public Pending<Boolean> startCas(String nodeId, String key, long cas, int ttlSeconds, byte[] value)
            throws StoreException {
        NodeClient node = client(nodeId);
        Reply reply = node.send(new Reply("cas", key),
                answer -> node.operations.cas(StoreType.set, key, cas, FLAGS, ttlSeconds, value, answer));
        return timeoutMillis -> node.await(reply, timeoutMillis).isSuccess();
    }

    @Override
    public Pending<Boolean> startTouch(String nodeId, String key, int ttlSeconds) throws StoreException {
        NodeClient node = client(nodeId);
        Reply reply = node.send(new Reply("touch", key),
                answer -> node.operations.touch(key, ttlSeconds, answer));
        return timeoutMillis -> node.await(reply, timeoutMillis).isSuccess();
    }

    @Override
    public Pending<Boolean> startDelete(String nodeId, String key) throws StoreException {
        NodeClient node = client(nodeId);
        Reply reply = node.send(new Reply("delete", key), answer -> node.operations.delete(key, answer));
        return timeoutMillis -> node.await(reply, timeoutMillis).isSuccess();
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
        NodeClient node = cluster.clients.get(nodeId);
        return node != null && node.isAvailable();
    }

    @Override
    public MemcachedNodes nodes() {
        return cluster.nodes;
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.stop(2L * operationTimeoutMillis); // a poll under way reads for up to the timeout
        }
        prober.stop(operationTimeoutMillis);
        Collection<NodeClient> clients;
        synchronized (this) {
            closed = true;
            clients = cluster.clients.values();
        }
        for (NodeClient node : clients) {
            // Pending writes can still reach a connected node; waiting for a node that is down only delays the stop.
            node.client.shutdown(node.isConnected() ? operationTimeoutMillis : 0, TimeUnit.MILLISECONDS);
        }
        // A stopping web application's class loader reports every thread still alive as a leak.
        for (NodeClient node : clients) {
            node.client.awaitIoThreadEnd(operationTimeoutMillis);
            node.client.awaitAuthThreadsEnd(operationTimeoutMillis);
        }
    }

    private NodeClient client(String nodeId) throws StoreException {
        NodeClient node = cluster.clients.get(nodeId);
        if (node == null) {
            throw new StoreException("no memcached node with id " + nodeId + " is connected");
        }
        if (!node.isUsable()) {
            throw new StoreException("memcached node " + node.node + " is down");
        }
        return node;
    }

    /** A client of one node, whose IO thread can be waited for when it shuts down. */
    private static final class NodeMemcachedClient extends MemcachedClient {
        /** The client's SASL threads by connection: only the monitor knows them, behind a protected getter. */
        private static final Method AUTH_THREADS = authThreadsGetter();

        private static Method authThreadsGetter() {
            try {
                Method getter = AuthThreadMonitor.class.getDeclaredMethod("getNodeMap");
                getter.setAccessible(true);
                return getter;
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.FINE, "the memcached client's SASL threads cannot be listed; a stop does not wait "
                        + "for them", e);
                return null;
            }
        }

        NodeMemcachedClient(ConnectionFactory factory, InetSocketAddress address, ConnectionEvents events)
                throws IOException {
            super(factory, Collections.singletonList(address));
            if (events != null) {
                events.deliverTo(this);
            }
        }

        /**
         * With SASL, the fork's constructor registers the client for connection events (it authenticates each new
         * connection) before it has a connection to register with, and fails; {@link ConnectionEvents} does it.
         */
        @Override
        public boolean addObserver(ConnectionObserver observer) {
            return mconn != null && super.addObserver(observer);
        }

        /** Sends an operation made with the client's operation factory, the way the client's own calls do. */
        void enqueue(String key, Operation operation) {
            mconn.enqueueOperation(key, operation);
        }

        void awaitIoThreadEnd(long millis) {
            try {
                mconn.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * With SASL, the client logs each new connection in on a thread of its own, which its shutdown interrupts
         * but does not wait for; one still ending when the web application stops is reported as a leak.
         */
        @SuppressWarnings("unchecked")
        void awaitAuthThreadsEnd(long millis) {
            if (AUTH_THREADS == null) {
                return;
            }
            List<Thread> threads;
            try {
                synchronized (authMonitor) {
                    threads = new ArrayList<>(((Map<?, ? extends Thread>) AUTH_THREADS.invoke(authMonitor)).values());
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                LOG.log(Level.FINE, "cannot list the SASL threads of " + mconn, e);
                return;
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (Thread thread : threads) {
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Connection events for a client that is still being constructed: given to the connection from the start, and
     * to the client once it exists, the connection it may have opened meanwhile included.
     */
    private static final class ConnectionEvents implements ConnectionObserver {
        private ConnectionObserver client;
        private SocketAddress established;
        private int reconnects;

        synchronized void deliverTo(ConnectionObserver constructed) {
            client = constructed;
            if (established != null) {
                client.connectionEstablished(established, reconnects);
                established = null;
            }
        }

        @Override
        public synchronized void connectionEstablished(SocketAddress address, int reconnectCount) {
            if (client == null) {
                established = address;
                reconnects = reconnectCount;
            } else {
                client.connectionEstablished(address, reconnectCount);
            }
        }

        @Override
        public synchronized void connectionLost(SocketAddress address) {
            if (client == null) {
                established = null;
            } else {
                client.connectionLost(address);
            }
        }
    }

    private static final class NodeClient {
        final MemcachedNode node;
        final NodeMemcachedClient client;
        final OperationFactory operations;
        /** Null without SASL. */
        final CredentialsCheck credentials;
        /** Null without TLS. */
        final NodeTrust trust;
        /** The client's one connection, read-only; asked on every request, so no list is built to ask it. */
        final net.spy.memcached.MemcachedNode connection;
        final long operationTimeoutMillis;
        /** Where the client connects: the host name's address when it was created. */
        final InetSocketAddress address;
        /** When the host name was last looked up (refresher thread only). */
        long resolvedNanos = System.nanoTime();
        /** No longer listed by the configuration endpoint: it counts as down, and is closed after a grace. */
        volatile boolean leaving;
        /** When it stopped being listed (refresher thread only). */
        long leftNanos;
        volatile long suspectUntilMillis;
        /** When a wait for an overdue answer last ended without it ({@link #caughtUp}). */
        volatile long caughtUpInVainNanos = System.nanoTime();
        /** When the probe now awaiting its answer was sent; 0 for none. */
        volatile long probeSentNanos;

        private NodeClient(MemcachedNode node, NodeMemcachedClient client, OperationFactory operations,
                           CredentialsCheck credentials, NodeTrust trust, long operationTimeoutMillis,
                           InetSocketAddress address) {
            this.node = node;
            this.address = address;
            this.client = client;
            this.operations = operations;
            this.credentials = credentials;
            this.trust = trust;
            this.connection = client.getNodeLocator().getAll().iterator().next();
            this.operationTimeoutMillis = operationTimeoutMillis;
        }

        /**
         * A client of its own per node, also because TLS verifies each node's host name, which the client takes
         * from its connection factory.
         */
        static NodeClient connect(MemcachedNode node, Configuration config) throws IOException {
            return connect(node, config, new InetSocketAddress(node.connectHost(), node.port()));
        }

        /** @param address where to connect: the node's host name resolved, or the address the endpoint gave */
        static NodeClient connect(MemcachedNode node, Configuration config, InetSocketAddress address)
                throws IOException {
            ConnectionFactoryBuilder builder = new ConnectionFactoryBuilder()
                    .setClientMode(ClientMode.Static)
                    .setProtocol(config.protocol() == Configuration.Protocol.BINARY
                            ? ConnectionFactoryBuilder.Protocol.BINARY : ConnectionFactoryBuilder.Protocol.TEXT)
                    .setOpTimeout(config.operationTimeoutMillis())
                    .setOpQueueMaxBlockTime(config.operationTimeoutMillis())
                    .setFailureMode(FailureMode.Cancel)
                    .setMaxReconnectDelay(MAX_RECONNECT_DELAY_SECONDS)
                    .setDaemon(true);
            CredentialsCheck credentials = null;
            ConnectionEvents events = null;
            if (config.username() != null) {
                credentials = new CredentialsCheck(node, config.username());
                events = new ConnectionEvents();
                builder.setOpFact(credentials)
                        .setInitialObservers(Collections.singleton(events))
                        .setAuthDescriptor(new AuthDescriptor(new String[] {"PLAIN"},
                                new PlainCallbackHandler(config.username(), config.password())));
            }
            NodeTrust trust = null;
            if (config.tls()) {
                try {
                    trust = new NodeTrust(config.tlsTrustStore());
                    builder.setSSLContext(trust.context()).setHostnameForTlsVerification(node.host());
                } catch (GeneralSecurityException e) {
                    throw new IOException("cannot set up TLS for memcached node " + node + ": " + e, e);
                }
            }
            ConnectionFactory factory = builder.build();
            NodeMemcachedClient client = new NodeMemcachedClient(factory, address, events);
            return new NodeClient(node, client, factory.getOperationFactory(), credentials, trust,
                    config.operationTimeoutMillis(), address);
        }

        /** Why the node said no to us, when it did: our credentials or its certificate. */
        String refusal() {
            if (credentials != null && credentials.refusal() != null) {
                return credentials.refusal();
            }
            return trust == null ? null : trust.refusal();
        }

        boolean isConnected() {
            return connection.isActive();
        }

        /** Connected, and authenticated when SASL is on: the connection can be active before memcached said yes. */
        boolean isReady() {
            return isConnected() && (credentials == null || credentials.accepted());
        }

        /** Whether sessions may be given this node, and stay on it: usable, and not leaving. */
        boolean isAvailable() {
            return !leaving && isUsable();
        }

        /** Whether an operation can be sent: connected, and no timeout lately. */
        boolean isUsable() {
            return isConnected() && System.currentTimeMillis() >= suspectUntilMillis;
        }

        /** Sends the operation; its answer is awaited later, so several can be under way together. */
        <R extends Reply> R send(R reply, Function<R, Operation> operation) throws StoreException {
            try {
                reply.operation = operation.apply(reply);
                client.enqueue(reply.key, reply.operation);
            } catch (RuntimeException e) {
                throw new StoreException("memcached " + reply.name + " of " + reply.key + " on node " + node
                        + " failed: " + e, e);
            }
            return reply;
        }

        /** Waits for a read's answer; a key that is absent is an answer too (no data). */
        void awaitRead(Reply reply, long timeoutMillis) throws StoreException {
            OperationStatus status = await(reply, timeoutMillis);
            if (!status.isSuccess() && status.getStatusCode() != StatusCode.ERR_NOT_FOUND) {
                throw failure(reply, status.getMessage());
            }
        }

        /**
         * Waits for memcached's answer: success, or a refusal such as "not stored" or "not found". The timeout
         * counts from when the operation was sent: operations sent together to a node that stops answering (a
         * writer's batch, a write and its second copy) fail together, not one timeout after the other.
         *
         * @throws StoreException when there is no answer: the node did not answer in time, the connection was lost,
         *         or memcached reported an error
         */
        OperationStatus await(Reply reply, long timeoutMillis) throws StoreException {
            try {
                long left = reply.sentNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - System.nanoTime();
                if (!reply.done.await(Math.max(0, left), TimeUnit.NANOSECONDS) && !caughtUp(reply)) {
                    MemcachedConnection.opTimedOut(reply.operation); // counts towards spymemcached's reconnect
                    reply.operation.cancel();
                    if (timeoutMillis >= operationTimeoutMillis) {
                        // a node silent for a whole operation timeout is unwell; a synchronous backup's shorter
                        // bound only says this request could not wait
                        suspectUntilMillis = System.currentTimeMillis() + SUSPECT_MILLIS;
                    }
                    throw new StoreException("memcached node " + node + " did not answer " + reply.name + " "
                            + reply.key + " within " + timeoutMillis + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted during memcached " + reply.name + " of " + reply.key, e);
            }
            if (reply.operation.hasErrored()) {
                throw failure(reply, String.valueOf(reply.operation.getException()));
            }
            OperationStatus status = reply.status;
            if (status == null || NO_ANSWER.contains(status.getStatusCode())) {
                throw failure(reply, status == null ? "no answer" : status.getMessage());
            }
            return status;
        }

        /**
         * Whether the answer came within {@link #CATCH_UP_MILLIS} after its deadline. Waited once per node for all
         * operations sent before a catch-up that failed: a batch to a node that really hangs fails together.
         */
        private boolean caughtUp(Reply reply) throws InterruptedException {
            if (reply.sentNanos - caughtUpInVainNanos < 0) {
                return false;
            }
            if (reply.done.await(CATCH_UP_MILLIS, TimeUnit.MILLISECONDS)) {
                return true;
            }
            caughtUpInVainNanos = System.nanoTime();
            return false;
        }

        private StoreException failure(Reply reply, String why) {
            return new StoreException("memcached " + reply.name + " of " + reply.key + " on node " + node
                    + " failed: " + why);
        }
    }

    /** Statuses spymemcached gives an operation that got no answer from memcached. */
    static final Set<StatusCode> NO_ANSWER = EnumSet.of(StatusCode.CANCELLED, StatusCode.TIMEDOUT,
            StatusCode.INTERRUPTED);

    /**
     * One operation's answer, filled in by spymemcached's IO thread. Waiting for it, unlike waiting for the client's
     * own futures, never takes the operation's monitor, which the IO thread holds while it completes the
     * operation: in the benchmark's flight recordings, request threads woken by an answer then queued on that
     * monitor 25 000 times in 10 s, a fifth of a millisecond each.
     */
    private static class Reply implements StoreOperation.Callback, DeleteOperation.Callback {
        final String name;
        final String key;
        final CountDownLatch done = new CountDownLatch(1);
        /** Made just before the operation is sent: its timeout counts from then. */
        final long sentNanos = System.nanoTime();
        Operation operation;
        volatile OperationStatus status;

        Reply(String name, String key) {
            this.name = name;
            this.key = key;
        }

        @Override
        public void gotData(String key, long casValue) {
        }

        @Override
        public void gotData(long casValue) {
        }

        @Override
        public void receivedStatus(OperationStatus received) {
            status = received;
        }

        @Override
        public void complete() {
            done.countDown();
        }
    }

    /** The answer to a get; {@code data} is written before {@link #complete()}, so visible once it opened. */
    private static final class ValueReply extends Reply implements GetOperation.Callback {
        byte[] data;

        ValueReply(String name, String key) {
            super(name, key);
        }

        @Override
        public void gotData(String key, int flags, byte[] value) {
            data = value;
        }
    }

    /** The answer to a gets: the value with its version (spymemcached tells a get's callback no version). */
    private static final class VersionedReply extends Reply implements GetsOperation.Callback {
        byte[] data;
        long cas;

        VersionedReply(String name, String key) {
            super(name, key);
        }

        @Override
        public void gotData(String key, int flags, long casValue, byte[] value) {
            data = value;
            cas = casValue;
        }
    }
}
