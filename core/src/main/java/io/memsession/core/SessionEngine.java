package io.memsession.core;

import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.backup.BackedUpSession;
import io.memsession.core.backup.BackupState;
import io.memsession.core.backup.SessionBackup;
import io.memsession.core.config.Configuration;
import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.ConfigurationException;
import io.memsession.core.config.MemcachedNodes;
import io.memsession.core.config.StorageKeyPrefix;
import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.SessionBlob;
import io.memsession.core.format.StoredSession;
import io.memsession.core.format.UnreadableSessionException;
import io.memsession.core.id.SessionId;
import io.memsession.core.stats.Statistics;
import io.memsession.core.store.MemcachedStore;
import io.memsession.core.store.SessionStore;
import io.memsession.core.store.StorageKeys;
import io.memsession.core.store.StoreException;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderFactory;
import io.memsession.serializer.TranscoderSettings;

/**
 * memsession's engine for one web application: which node a session goes to, what an arriving session id asks
 * for, reading sessions from memcached, and (through {@link SessionBackup}) writing and deleting them. A container
 * bridge maps its session lifecycle onto these calls and holds no policy of its own.
 */
public final class SessionEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SessionEngine.class.getName());
    private static final ArrivingSessionId KEEP = new ArrivingSessionId(ArrivingSessionId.Action.KEEP, null);

    private final Configuration config;
    private final SessionStore store;
    private final StorageKeys keys;
    private final SessionAttributesTranscoder transcoder;
    private final String serializerId;
    private final TranscoderSettings transcoderSettings;
    private final ClassLoader webappClassLoader;
    /** Transcoders for sessions another serializer wrote, by serializer id; empty when it is not installed. */
    private final Map<String, Optional<SessionAttributesTranscoder>> otherReaders = new ConcurrentHashMap<>();
    private final PrincipalCodec principalCodec;
    private final Statistics statistics;
    private final SessionBackup backup;
    private final IntSupplier graceSeconds;

    SessionEngine(Configuration config, SessionStore store, String keyPrefix, TranscoderFactory factory,
                  ClassLoader webappClassLoader, PrincipalCodec principalCodec, IntSupplier graceSeconds,
                  String threadNamePrefix) {
        this.config = config;
        this.store = store;
        this.keys = new StorageKeys(keyPrefix, config.nodes().encodesNodeIds());
        this.serializerId = factory.serializerId();
        this.webappClassLoader = webappClassLoader;
        this.transcoderSettings = new TranscoderSettings(webappClassLoader, config.copyCollectionsForSerialization(),
                config.customConverters(), config.classAllowList());
        try {
            this.transcoder = factory.createTranscoder(transcoderSettings);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
        this.principalCodec = principalCodec;
        this.statistics = new Statistics(config.enableStatistics());
        this.graceSeconds = graceSeconds;
        this.backup = new SessionBackup(store, keys, transcoder, serializerId, principalCodec, statistics,
                graceSeconds, config.sessionBackupAsync() ? config.backupThreadCount() : 0,
                config.sessionBackupTimeoutMillis(), config.operationTimeoutMillis(), threadNamePrefix);
    }

    /**
     * Starts the engine: loads the serializer and connects to memcached.
     *
     * @param principalPackages packages of the container's principal classes, the only ones read back
     * @param graceSeconds how long stored copies outlive the sessions' own expiry (the container's expiry period)
     * @throws ConfigurationException for a serializer that cannot be loaded or does not accept the settings
     * @throws IOException when the memcached clients cannot be created
     */
    public static SessionEngine start(Configuration config, StorageKeyPrefix.WebappNames webapp,
                                      ClassLoader webappClassLoader, List<String> principalPackages,
                                      ClassLoader containerClassLoader, IntSupplier graceSeconds,
                                      String threadNamePrefix) throws IOException {
        TranscoderFactory factory = loadTranscoderFactory(config.transcoderFactoryClass(), webappClassLoader);
        MemcachedStore store = MemcachedStore.connect(config);
        try {
            return new SessionEngine(config, store, config.storageKeyPrefix().resolve(webapp), factory,
                    webappClassLoader, new PrincipalCodec(principalPackages, containerClassLoader), graceSeconds,
                    threadNamePrefix);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    static TranscoderFactory loadTranscoderFactory(String className, ClassLoader webappClassLoader) {
        List<Throwable> failures = new ArrayList<>();
        for (ClassLoader loader : Arrays.asList(webappClassLoader, SessionEngine.class.getClassLoader())) {
            try {
                Class<?> type = Class.forName(className, true, loader);
                if (!TranscoderFactory.class.isAssignableFrom(type)) {
                    throw new ConfigurationException("transcoderFactoryClass", className,
                            "the class does not implement " + TranscoderFactory.class.getName());
                }
                return (TranscoderFactory) type.getDeclaredConstructor().newInstance();
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                failures.add(e);
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new ConfigurationException("transcoderFactoryClass", className,
                        "the class cannot be instantiated with a public no-argument constructor: " + e);
            }
        }
        throw new ConfigurationException("transcoderFactoryClass", className,
                "class not found in the web application nor in Tomcat's lib/ (" + failures.get(0) + ")");
    }

    public Configuration configuration() {
        return config;
    }

    public Statistics statistics() {
        return statistics;
    }

    /** Whether requests to this URI leave the session store alone ({@code requestUriIgnorePattern}). */
    public boolean isIgnored(String requestUri) {
        return config.requestUriIgnorePattern() != null
                && config.requestUriIgnorePattern().matcher(requestUri).matches();
    }

    /**
     * The id for a new session: Tomcat's id with a random available node, primaries before failover nodes, and no
     * node at all when every node is down.
     */
    public String newSessionId(String tomcatId) {
        return SessionId.fromTomcatId(tomcatId, chooseNode(null)).toString();
    }

    /** A random available primary node other than {@code exclude}; else a failover node; else null. */
    private String chooseNode(String exclude) {
        MemcachedNodes nodes = config.nodes();
        if (!nodes.encodesNodeIds()) {
            return null;
        }
        String node = randomAvailable(nodes.primaryIds(), exclude);
        return node != null ? node : randomAvailable(nodes.failoverIds(), exclude);
    }

    private String randomAvailable(List<String> ids, String exclude) {
        int size = ids.size();
        if (size == 0) {
            return null;
        }
        int start = ThreadLocalRandom.current().nextInt(size);
        for (int i = 0; i < size; i++) {
            String id = ids.get((start + i) % size);
            if (!id.equals(exclude) && store.isAvailable(id)) {
                return id;
            }
        }
        return null;
    }

    /**
     * Decides what a request's session id asks for before the request is processed.
     *
     * @param jvmRoute this Tomcat's route, or null
     * @param isLocal whether this Tomcat holds the session in memory
     */
    public ArrivingSessionId inspect(String requestedId, String jvmRoute, boolean isLocal) {
        if (isLocal && isSettled(requestedId, jvmRoute)) {
            return KEEP;
        }
        SessionId id = SessionId.parse(requestedId);
        if (id == null || (!config.nodes().encodesNodeIds() && id.nodeId() != null)) {
            return new ArrivingSessionId(ArrivingSessionId.Action.MALFORMED, null);
        }
        boolean encodes = config.nodes().encodesNodeIds();
        boolean knownNode = id.nodeId() == null || config.nodes().contains(id.nodeId());
        if (!knownNode && !isLocal) {
            return new ArrivingSessionId(ArrivingSessionId.Action.MALFORMED, null);
        }
        // Without node ids every session is stored; with them, one created while all nodes were down is not.
        boolean mayBeStored = !encodes || id.nodeId() != null;
        if (jvmRoute != null && !jvmRoute.isEmpty() && !jvmRoute.equals(id.jvmRoute()) && mayBeStored) {
            SessionId target = id.withJvmRoute(jvmRoute);
            if (config.nodes().failoverIds().contains(id.nodeId())) {
                String primary = randomAvailable(config.nodes().primaryIds(), null);
                if (primary != null) {
                    target = target.withNodeId(primary); // leave this Tomcat's failover node
                }
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
        for (String nodeId : config.nodes().primaryIds()) {
            if (nodeEnd - dash - 1 == nodeId.length() && id.regionMatches(dash + 1, nodeId, 0, nodeId.length())) {
                return store.isAvailable(nodeId);
            }
        }
        return false; // a failover node, or unknown: let the full inspection decide
    }

    /** Whether a session with this id can be read from memcached now. */
    public boolean canLoad(String id) {
        SessionId parsed = SessionId.parse(id);
        if (parsed == null) {
            return false;
        }
        if (!config.nodes().encodesNodeIds()) {
            return parsed.nodeId() == null;
        }
        return parsed.nodeId() != null && config.nodes().contains(parsed.nodeId())
                && store.isAvailable(parsed.nodeId());
    }

    /**
     * Reads a session from memcached. A stored session that cannot be read (corrupt, planted, unknown format or
     * serializer, refused class) is logged and deleted: its user gets a new session.
     *
     * @return null when memcached has no readable session under this id, or the node cannot be reached
     */
    public LoadedSession load(String id) {
        if (!canLoad(id)) {
            return null;
        }
        long start = System.nanoTime();
        byte[] blob;
        try {
            blob = store.get(keys.nodeId(id), keys.key(id));
        } catch (StoreException e) {
            LOG.log(Level.FINE, "cannot read session " + id, e);
            return null;
        }
        if (blob == null) {
            return null;
        }
        try {
            StoredSession stored = SessionBlob.decode(blob);
            if (!stored.id().equals(id)) {
                throw new UnreadableSessionException("it holds the session " + stored.id());
            }
            SessionAttributesTranscoder reader = readerFor(stored.serializerId());
            long deserializationStart = System.nanoTime();
            Map<String, Object> attributes = reader.deserialize(stored.attributes());
            statistics.sessionDeserialized(millisSince(deserializationStart));
            Principal principal = readPrincipal(id, stored.principal());
            statistics.sessionLoaded(millisSince(start));
            long storedExpiry = stored.maxInactiveInterval() <= 0 ? Long.MAX_VALUE
                    : stored.thisAccessedTime() + (stored.maxInactiveInterval() + (long) graceSeconds.getAsInt())
                    * 1000L;
            return new LoadedSession(stored, attributes, principal,
                    BackupState.forLoadedSession(stored.attributes(), storedExpiry));
        } catch (UnreadableSessionException | SerializationException e) {
            statistics.unreadableSession();
            LOG.warning("session " + id + " in memcached cannot be read and is deleted; its user gets a new "
                    + "session: " + e.getMessage());
            backup.deleteKey(id);
            return null;
        }
    }

    /** Serializers memsession ships, by the id they write: what a switch of transcoderFactoryClass leaves behind. */
    private static final Map<String, String> SHIPPED_SERIALIZERS = new HashMap<>();

    static {
        SHIPPED_SERIALIZERS.put("java", ConfigurationBuilder.JAVA_TRANSCODER_FACTORY);
        SHIPPED_SERIALIZERS.put("kryo", "io.memsession.serializer.kryo.KryoTranscoderFactory");
    }

    /**
     * The transcoder for a stored session: the configured one, or, for sessions written before the web application
     * switched serializers, the one that wrote it if it is installed, so the switch costs no sessions. Writes always
     * use the configured one.
     */
    private SessionAttributesTranscoder readerFor(String storedSerializerId) throws UnreadableSessionException {
        if (storedSerializerId.equals(serializerId)) {
            return transcoder;
        }
        Optional<SessionAttributesTranscoder> reader = otherReaders.computeIfAbsent(storedSerializerId,
                this::createReader);
        if (!reader.isPresent()) {
            throw new UnreadableSessionException("it was written by the serializer '" + storedSerializerId
                    + "', which is not installed; this web application uses '" + serializerId + "'");
        }
        return reader.get();
    }

    private Optional<SessionAttributesTranscoder> createReader(String storedSerializerId) {
        String factoryClass = SHIPPED_SERIALIZERS.get(storedSerializerId);
        if (factoryClass == null) {
            return Optional.empty();
        }
        try {
            TranscoderFactory factory = loadTranscoderFactory(factoryClass, webappClassLoader);
            try {
                return Optional.of(factory.createTranscoder(transcoderSettings));
            } catch (IllegalArgumentException settingsForAnotherSerializer) {
                // e.g. Kryo's customConverter given to Java serialization, which needs none of it to read
                return Optional.of(factory.createTranscoder(new TranscoderSettings(webappClassLoader, false,
                        Collections.<String>emptyList(), config.classAllowList())));
            }
        } catch (ConfigurationException | IllegalArgumentException e) {
            LOG.log(Level.FINE, "no reader for serializer " + storedSerializerId, e);
            return Optional.empty();
        }
    }

    private Principal readPrincipal(String id, byte[] bytes) {
        try {
            return principalCodec.decode(bytes);
        } catch (IOException | RuntimeException e) {
            LOG.warning("the principal of session " + id + " cannot be read (" + e.getMessage()
                    + "); the session is kept and its user must log in again");
            return null;
        }
    }

    /**
     * A request ended.
     *
     * @param session the session the request used (created, found or renamed), or null if it used none
     * @param hadSessionId whether the request came with a session id
     */
    public void requestFinished(BackedUpSession session, boolean hadSessionId) {
        statistics.requestFinished(session != null || hadSessionId);
        if (session == null) {
            if (hadSessionId) {
                statistics.backupSkipped(Statistics.Skip.NO_SESSION_ACCESS);
            }
            return;
        }
        if (session.isLive()) {
            backup.afterRequest(session);
        }
    }

    /** See {@link SessionBackup#refreshExpiration}. */
    public boolean refreshExpiration(BackedUpSession session) {
        return backup.refreshExpiration(session);
    }

    /** See {@link SessionBackup#sessionRemoved}. */
    public void sessionRemoved(BackedUpSession session, boolean expiredHere, long localThisAccessedTime) {
        backup.sessionRemoved(session, expiredHere, localThisAccessedTime);
    }

    /** See {@link SessionBackup#sessionRenamed}. */
    public void sessionRenamed(BackedUpSession session, String oldId) {
        backup.sessionRenamed(session, oldId);
    }

    /** Counts a session that moved here from another Tomcat. */
    public void tomcatFailover() {
        statistics.tomcatFailover();
    }

    /** Counts a session that moved from a memcached node that is down. */
    public void memcachedFailover() {
        statistics.memcachedFailover();
    }

    /** Sessions waiting for an asynchronous write. */
    public int queuedBackups() {
        return backup.queuedSessions();
    }

    /** Writes the session now if it changed since its last write; for a context that stops. */
    public void writeIfChanged(BackedUpSession session) {
        backup.writeIfChanged(session);
    }

    /** Writes what is queued and disconnects; stored sessions stay in memcached. */
    @Override
    public void close() {
        backup.close();
        store.close();
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }
}
