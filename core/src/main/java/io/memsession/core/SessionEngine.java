package io.memsession.core;

import static io.memsession.core.Elapsed.nanosSince;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.ConfigurationException;
import io.memsession.core.config.MemcachedNode;
import io.memsession.core.config.MemcachedNodes;
import io.memsession.core.config.StorageKeyPrefix;
import io.memsession.core.format.ForeignSessionException;
import io.memsession.core.format.MsmPrincipalReader;
import io.memsession.core.format.MsmSessionBlob;
import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.RefusedSessionException;
import io.memsession.core.format.SessionBlob;
import io.memsession.core.format.SessionSeal;
import io.memsession.core.format.StoredSession;
import io.memsession.core.format.UnreadableSessionException;
import io.memsession.core.stats.NodeStatus;
import io.memsession.core.stats.Statistics;
import io.memsession.serializer.MsmAttributesReader;
import io.memsession.serializer.ReadsMsmSessions;
import io.memsession.serializer.SerializationException;
import io.memsession.serializer.SessionAttributesTranscoder;
import io.memsession.serializer.TranscoderFactory;
import io.memsession.serializer.TranscoderSettings;

/**
 * memsession's engine for one web application: which node a session goes to, what an arriving session id asks
 * for, reading sessions from memcached, and (through {@link SessionBackup}) writing and deleting them. A container
 * bridge maps its session lifecycle onto these calls and holds no policy of its own.
 *
 * <p>The mode is chosen once, at {@link #start}: a {@link StickyEngine} or a {@link NonStickyEngine}. The bridge
 * calls the same methods in both modes at the moments of a request: its arrival with a session id
 * ({@link #arriving}), each look-up or creation of a session ({@link #find}, {@link #created}), and its end
 * ({@link #requestFinished}); what only the container can do, it offers through a {@link SessionContainer}.
 */
public abstract class SessionEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SessionEngine.class.getName());
    /** Key ids whose refusals are logged once each; beyond this many, planted ones are only counted. */
    private static final int MAX_LOGGED_KEY_IDS = 64;

    final Configuration config;
    final SessionStore store;
    final StorageKeys keys;
    private final SessionBlob blobs;
    private final SessionAttributesTranscoder transcoder;
    private final String serializerId;
    private final TranscoderSettings transcoderSettings;
    private final ClassLoader webappClassLoader;
    /** Transcoders for sessions another serializer wrote, by serializer id; empty when it is not installed. */
    private final Map<String, Optional<SessionAttributesTranscoder>> otherReaders = new ConcurrentHashMap<>();
    private final PrincipalCodec principalCodec;
    private final TranscoderFactory factory;
    /** Readers of the attributes memcached-session-manager wrote, by serializer id; empty when there is none. */
    private final Map<String, Optional<MsmAttributesReader>> msmReaders = new ConcurrentHashMap<>();
    /** Reads the logins memcached-session-manager stored, in the form of this Tomcat line's msm jar. */
    private final MsmPrincipalReader msmPrincipals;
    /** Kinds of foreign values ({@link ForeignSessionException#kind()}) that were logged. */
    private final Map<String, Boolean> foreignLogged = new ConcurrentHashMap<>();
    private final AtomicBoolean importLogged = new AtomicBoolean();
    final Statistics statistics;
    final SessionBackup backup;
    final IntSupplier graceSeconds;
    /**
     * Locks for reading a session from memcached, by id. A lock is held for a memcached round trip, so requests for
     * different sessions must seldom share one: with 64, a fifth of the non-sticky benchmark's requests waited half
     * a millisecond for another session's read.
     */
    private final Object[] loadLocks = new Object[4096];
    /** Key ids (the empty string for unsealed sessions) whose refusal was logged. */
    private final Map<String, Boolean> refusalsLogged = new ConcurrentHashMap<>();

    /** What both engines are made of, built before either: the backup each makes differs with the mode. */
    static final class Parts {
        final Configuration config;
        final SessionStore store;
        final StorageKeys keys;
        final SessionBlob blobs;
        final TranscoderFactory factory;
        final String serializerId;
        final ClassLoader webappClassLoader;
        final TranscoderSettings transcoderSettings;
        final SessionAttributesTranscoder transcoder;
        final PrincipalCodec principalCodec;
        final MsmPrincipalReader msmPrincipals;
        final Statistics statistics;
        final IntSupplier graceSeconds;

        Parts(Configuration config, SessionStore store, String keyPrefix, String webapp, TranscoderFactory factory,
              ClassLoader webappClassLoader, PrincipalCodec principalCodec, MsmPrincipalReader msmPrincipals,
              IntSupplier graceSeconds) {
            this.config = config;
            this.store = store;
            this.keys = new StorageKeys(keyPrefix, config.nodes().encodesNodeIds());
            this.blobs = new SessionBlob(webapp, SessionSeal.of(config.sealingKeys()));
            this.factory = factory;
            this.serializerId = factory.serializerId();
            this.webappClassLoader = webappClassLoader;
            this.transcoderSettings = new TranscoderSettings(webappClassLoader,
                    config.copyCollectionsForSerialization(), config.customConverters(), config.classAllowList());
            try {
                this.transcoder = factory.createTranscoder(transcoderSettings);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(e.getMessage());
            }
            this.principalCodec = principalCodec;
            this.msmPrincipals = msmPrincipals;
            this.statistics = new Statistics(config.enableStatistics());
            this.graceSeconds = graceSeconds;
        }
    }

    SessionEngine(Parts parts, SessionBackup backup) {
        this.config = parts.config;
        this.store = parts.store;
        this.keys = parts.keys;
        this.blobs = parts.blobs;
        this.serializerId = parts.serializerId;
        this.webappClassLoader = parts.webappClassLoader;
        this.transcoderSettings = parts.transcoderSettings;
        this.transcoder = parts.transcoder;
        this.principalCodec = parts.principalCodec;
        this.factory = parts.factory;
        this.msmPrincipals = parts.msmPrincipals;
        this.statistics = parts.statistics;
        this.graceSeconds = parts.graceSeconds;
        this.backup = backup;
        for (int i = 0; i < loadLocks.length; i++) {
            loadLocks[i] = new Object();
        }
    }

    /**
     * The engine of the configuration's mode.
     *
     * @param webapp the identity of the web application ({@link SessionBlob#webapp}): stored sessions of another
     *        are never used here
     */
    static SessionEngine create(Configuration config, SessionStore store, String keyPrefix, String webapp,
                                TranscoderFactory factory, ClassLoader webappClassLoader,
                                PrincipalCodec principalCodec, MsmPrincipalReader msmPrincipals,
                                IntSupplier graceSeconds, String threadNamePrefix) {
        Parts parts = new Parts(config, store, keyPrefix, webapp, factory, webappClassLoader, principalCodec,
                msmPrincipals, graceSeconds);
        return config.sticky() ? StickyEngine.create(parts, threadNamePrefix)
                : NonStickyEngine.create(parts, threadNamePrefix);
    }

    /**
     * Starts the engine: loads the serializer and connects to memcached.
     *
     * @param principalPackages packages (or class names) of the container's principal and login note classes, the
     *        only ones read back with the principal
     * @param msmPrincipals the reader of the logins memcached-session-manager stored, as its jar for this Tomcat
     *        line wrote them
     * @param graceSeconds how long stored copies outlive the sessions' own expiry (the container's expiry period)
     * @throws ConfigurationException for a serializer that cannot be loaded or does not accept the settings, or
     *         SASL credentials a node refuses
     * @throws IOException when the memcached clients cannot be created
     */
    public static SessionEngine start(Configuration config, StorageKeyPrefix.WebappNames webapp,
                                      ClassLoader webappClassLoader, List<String> principalPackages,
                                      MsmPrincipalReader msmPrincipals, ClassLoader containerClassLoader,
                                      IntSupplier graceSeconds, String threadNamePrefix) throws IOException {
        TranscoderFactory factory = loadTranscoderFactory(config.transcoderFactoryClass(), webappClassLoader);
        MemcachedStore store = MemcachedStore.connect(config);
        try {
            return create(config, store, config.storageKeyPrefix().resolve(webapp),
                    SessionBlob.webapp(webapp.hostName(), webapp.contextName(), webapp.webappVersion()), factory,
                    webappClassLoader, new PrincipalCodec(principalPackages, containerClassLoader),
                    msmPrincipals, graceSeconds, threadNamePrefix);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /**
     * What anyone who can write to memcached can do to this configuration, for a warning at start; null when
     * sessions are sealed or read through an enforced {@code classAllowList}.
     */
    public static String exposure(Configuration config) {
        if (config.sealsSessions() || !config.classAllowList().allowsEverything() && !config.classAllowListReports()) {
            return null;
        }
        return "stored sessions are neither sealed (encryptionKeyFile) nor read through an enforced class allow-list"
                + " (classAllowList" + (config.classAllowListReports() ? " is in report mode" : " is not set")
                + "): anyone who can write to memcached can plant a session whose attributes are objects of any class"
                + " on the web application's class path, except the known gadget classes memsession always refuses,"
                + " and whose constructors and readObject methods run when the session is read; and can make a"
                + " session log in as any user the application's realm knows. Set encryptionKeyFile to refuse every"
                + " session this application did not seal (it closes both), or classAllowList to name the classes"
                + " sessions may hold (see docs/security.md).";
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

    /**
     * Its memcached nodes, in configuration order (those a configuration endpoint lists now, in the order of their
     * ids), with whether each can be reached now.
     */
    public List<NodeStatus> nodeStatuses() {
        List<NodeStatus> statuses = new ArrayList<>();
        MemcachedNodes nodes = store.nodes();
        for (MemcachedNode node : nodes.present()) {
            statuses.add(new NodeStatus(node.id(), node.address(), nodes.failoverIds().contains(node.id()),
                    store.isAvailable(node.id())));
        }
        return statuses;
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
    final String chooseNode(String exclude) {
        return chooseNode(store, exclude);
    }

    static String chooseNode(SessionStore store, String exclude) {
        MemcachedNodes nodes = store.nodes();
        if (!nodes.encodesNodeIds()) {
            return null;
        }
        String node = randomAvailable(store, nodes.primaryIds(), exclude);
        return node != null ? node : randomAvailable(store, nodes.failoverIds(), exclude);
    }

    final String randomAvailable(List<String> ids, String exclude) {
        return randomAvailable(store, ids, exclude);
    }

    private static String randomAvailable(SessionStore store, List<String> ids, String exclude) {
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

    /** Whether a session with this id can be read from memcached now. */
    public boolean canLoad(String id) {
        SessionId parsed = parseOwn(id);
        return parsed != null && (parsed.nodeId() == null || store.isAvailable(parsed.nodeId()));
    }

    /** Whether memsession could have made this id and stored its session: it parses and names a known node. */
    public boolean mayHaveMade(String id) {
        return parseOwn(id) != null;
    }

    /** The id parsed, if it names a known node (or none, for a single node without id); else null. */
    private SessionId parseOwn(String id) {
        SessionId parsed = SessionId.parse(id);
        if (parsed == null) {
            return null;
        }
        boolean own = config.nodes().encodesNodeIds()
                ? parsed.nodeId() != null && store.nodes().contains(parsed.nodeId())
                : parsed.nodeId() == null;
        return own ? parsed : null;
    }

    /**
     * Reads a session from memcached, memsession's own or one memcached-session-manager wrote ({@code msmImport}).
     * One of memsession's own that cannot be read (corrupt, planted, unknown version or serializer, refused class)
     * is logged and deleted; anything else that cannot be read is logged and left in memcached. Either way its user
     * gets a new session.
     *
     * @return null when memcached has no readable session under this id, or the node cannot be reached
     */
    LoadedSession load(String id) {
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
            return read(id, id, blob, start, null, 0);
        } catch (UnreadableSessionException e) {
            unreadable(id, e);
            return null;
        }
    }

    /**
     * Whether a new session may take the id a client proposes (Tomcat proposes the id the client uses in another
     * context of the host): memsession could have generated it, its node is up, and memcached holds nothing under
     * it. Where web applications share a storage key prefix, a session of another application may be stored under
     * it; a session here under the same id would overwrite it.
     */
    public boolean mayAdopt(String proposedId) {
        if (!canLoad(proposedId)) {
            return false;
        }
        try {
            return store.get(keys.nodeId(proposedId), keys.key(proposedId)) == null;
        } catch (StoreException e) {
            LOG.log(Level.FINE, "cannot tell whether the proposed session id " + proposedId + " is free", e);
            return false;
        }
    }

    /**
     * Turns a stored blob into a session: the one place where what memcached holds is read. Whatever the bytes say
     * (huge lengths, nesting that exhausts the stack, classes that fail to load), reading them ends in a session or
     * in an {@link UnreadableSessionException}.
     *
     * @param storedId the id the blob must hold
     * @param id the id the session has from now on
     * @param stay the stay the read begins, in non-sticky mode; none in sticky mode
     * @param cas memcached's version of the blob for a compare-and-set write, 0 for none (sticky mode, or a session
     *        that moves to a new key)
     * @return null when the blob is another web application's: it is left alone
     */
    final LoadedSession read(String storedId, String id, byte[] blob, long startNanos, Stay stay,
                               long cas) throws UnreadableSessionException {
        try {
            return readUnchecked(storedId, id, blob, startNanos, stay, cas);
        } catch (UnreadableSessionException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError | LinkageError e) {
            // an OutOfMemoryError here is an allocation the bytes asked for, not a full heap: the blob is at most
            // one memcached item, and its lengths are checked against it
            throw new UnreadableSessionException(e instanceof SerializationException ? e.getMessage() : e.toString(),
                    e);
        }
    }

    private LoadedSession readUnchecked(String storedId, String id, byte[] blob, long startNanos, Stay stay,
                                        long cas) {
        if (MsmSessionBlob.isMsmSession(blob)) {
            return importMsm(storedId, id, blob, startNanos, stay, cas);
        }
        StoredSession stored = blobs.decode(blob);
        if (stored == null) {
            LOG.fine("session " + storedId + " in memcached belongs to another web application than "
                    + blobs.webapp() + "; its user gets a new session here");
            return null;
        }
        if (!stored.id().equals(storedId)) {
            throw new UnreadableSessionException("it holds the session " + stored.id());
        }
        SessionAttributesTranscoder reader = readerFor(stored.serializerId());
        long deserializationStart = System.nanoTime();
        Map<String, Object> attributes = reader.deserialize(stored.attributes());
        statistics.sessionDeserialized(nanosSince(deserializationStart));
        // written before a filter changed: what the filters keep out now is not read either, as in Tomcat
        attributes.keySet().removeIf(name -> !config.storesAttribute(name));
        PrincipalCodec.Authentication authentication = readAuthentication(storedId, stored.principal());
        statistics.sessionLoaded(nanosSince(startNanos));
        return loaded(storedId, id, stored, attributes, authentication, blob, cas, stay,
                attributes.isEmpty() && stored.principal() == null, false);
    }

    /**
     * Reads a session memcached-session-manager (msm) wrote, so that the switch from msm logs nobody out: with the
     * same class checks and read limits as memsession's own, its login confirmed by the realm as an unsealed
     * login is (msm's sessions say neither which application wrote them nor who), and written in memsession's
     * format by the request that reads it. What cannot be read, or may not be ({@code msmImport}), is left in
     * memcached for msm, should the switch be rolled back.
     */
    private LoadedSession importMsm(String storedId, String id, byte[] blob, long startNanos, Stay stay,
                                    long cas) {
        if (!config.importsMsmSessions(System.currentTimeMillis())) {
            throw new ForeignSessionException("msm, not imported", "it was written by memcached-session-manager, "
                    + "and msmImport=\"" + config.msmImport() + "\" does not import such sessions "
                    + (config.sealsSessions() ? "into sealed ones (encryptionKeyFile)" : "now")
                    + "; it is left in memcached");
        }
        try {
            return importMsmUnchecked(storedId, id, blob, startNanos, stay, cas);
        } catch (ForeignSessionException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError | LinkageError e) {
            throw new ForeignSessionException("msm, unreadable", "it was written by memcached-session-manager and "
                    + "cannot be read (" + (e instanceof UnreadableSessionException
                    || e instanceof SerializationException ? e.getMessage() : e.toString())
                    + "); it is left in memcached", e);
        }
    }

    private LoadedSession importMsmUnchecked(String storedId, String id, byte[] blob, long startNanos,
                                             Stay stay, long cas) {
        MsmSessionBlob.MsmSession msm = MsmSessionBlob.decode(blob);
        if (!msm.id().equals(storedId)) {
            throw new UnreadableSessionException("it holds the session " + msm.id());
        }
        AccessTimes times = msmAccessTimes(storedId, id, msm);
        if (times == null) {
            return null;
        }
        MsmAttributesReader reader = msmReaderFor(msm.attributes());
        long deserializationStart = System.nanoTime();
        Map<String, Object> attributes = reader.read(msm.attributes());
        statistics.sessionDeserialized(nanosSince(deserializationStart));
        attributes.keySet().removeIf(name -> !config.storesAttribute(name));
        byte[] login = msm.principal() != null ? msm.principal() : msm.formPrincipal();
        PrincipalCodec.Authentication authentication = readMsmAuthentication(storedId, login);
        statistics.sessionLoaded(nanosSince(startNanos));
        StoredSession stored = new StoredSession(msm.id(), msm.creationTime(), times.lastAccessedTime,
                times.thisAccessedTime, 0, times.maxInactiveInterval, msm.isNew(),
                authentication == null ? null : msm.authType(), null, serializerId, msm.attributes());
        if (importLogged.compareAndSet(false, true)) {
            LOG.info("memsession imports the sessions memcached-session-manager wrote for " + blobs.webapp()
                    + " (msmImport=\"" + config.msmImport() + "\"), beginning with " + storedId + "; each is written in"
                    + " memsession's format by the request that reads it. This is logged once.");
        }
        return loaded(storedId, id, stored, attributes, authentication, blob, cas, stay, false, true);
    }

    /**
     * The reader of msm's attribute bytes: Java serialization's when they are a Java object stream (msm's default
     * serializer), else the configured serializer's, if it reads what msm's serializer of its kind wrote.
     */
    private MsmAttributesReader msmReaderFor(byte[] attributes) {
        boolean javaStream = attributes.length >= 2 && (attributes[0] & 0xff) == 0xac
                && (attributes[1] & 0xff) == 0xed;
        String kind = javaStream ? "java" : serializerId;
        Optional<MsmAttributesReader> reader = msmReaders.computeIfAbsent(kind, this::createMsmReader);
        if (!reader.isPresent()) {
            throw new UnreadableSessionException(javaStream ? "no reader of Java serialization is installed"
                    : "its attributes are not a Java object stream, and the serializer '" + serializerId
                    + "' does not read what memcached-session-manager's serializers wrote");
        }
        return reader.get();
    }

    private Optional<MsmAttributesReader> createMsmReader(String kind) {
        TranscoderFactory readerFactory = factory;
        TranscoderSettings settings = transcoderSettings;
        if (!kind.equals(serializerId)) {
            try {
                readerFactory = loadTranscoderFactory(SHIPPED_SERIALIZERS.get(kind), webappClassLoader);
            } catch (ConfigurationException e) {
                LOG.log(Level.FINE, "no reader for memcached-session-manager's " + kind + " attributes", e);
                return Optional.empty();
            }
            // e.g. Kryo's customConverter is none of Java serialization's business
            settings = new TranscoderSettings(webappClassLoader, false, Collections.<String>emptyList(),
                    config.classAllowList());
        }
        if (!(readerFactory instanceof ReadsMsmSessions)) {
            return Optional.empty();
        }
        return Optional.of(((ReadsMsmSessions) readerFactory).createMsmReader(settings));
    }

    private PrincipalCodec.Authentication readMsmAuthentication(String id, byte[] bytes) {
        try {
            PrincipalCodec.Authentication read = msmPrincipals.decode(bytes);
            return read == null || read.principal() == null ? null : read;
        } catch (IOException | RuntimeException e) {
            LOG.warning("the login that memcached-session-manager stored with session " + id + " cannot be read ("
                    + e.getMessage() + "); the session is kept and its user must log in again");
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

    final void unreadable(String id, UnreadableSessionException e) {
        statistics.unreadableSession();
        if (e instanceof ForeignSessionException) {
            logUnreadable("session " + id + " in memcached is not read; its user gets a new session: "
                    + e.getMessage(), e);
            return; // not memsession's: left to whatever wrote it
        }
        logUnreadable("session " + id + " in memcached cannot be read and is deleted; its user gets a new "
                + "session: " + e.getMessage(), e);
        backup.deleteKey(id);
    }

    /**
     * Each unreadable session is a warning, except those no configured key sealed: they are planted or forged, or
     * left by a key that was removed, and logged once per key id, so that a flood of them does not flood the log.
     * Every one is counted (msmStatNumUnreadableSessions).
     */
    final void logUnreadable(String message, UnreadableSessionException e) {
        if (e instanceof ForeignSessionException) {
            String kind = ((ForeignSessionException) e).kind();
            if (foreignLogged.putIfAbsent(kind, Boolean.TRUE) == null) {
                LOG.warning(message + " (further values of this kind are left alone the same way, not logged again,"
                        + " and counted in msmStatNumUnreadableSessions)");
            } else {
                LOG.fine(message);
            }
            return;
        }
        if (!(e instanceof RefusedSessionException)) {
            LOG.warning(message);
            return;
        }
        String refusedKeyId = ((RefusedSessionException) e).keyId();
        String keyId = refusedKeyId == null ? "" : refusedKeyId;
        if (refusalsLogged.size() < MAX_LOGGED_KEY_IDS && refusalsLogged.putIfAbsent(keyId, Boolean.TRUE) == null) {
            LOG.warning(message + " (further sessions " + (keyId.isEmpty() ? "that are not sealed"
                    : "sealed with the key id '" + keyId + "'") + " are refused the same way, not logged again, "
                    + "and counted in msmStatNumUnreadableSessions)");
        } else {
            LOG.fine(message);
        }
    }

    private PrincipalCodec.Authentication readAuthentication(String id, byte[] bytes) {
        try {
            return principalCodec.decode(bytes);
        } catch (IOException | RuntimeException e) {
            LOG.warning("the principal of session " + id + " cannot be read (" + e.getMessage()
                    + "); the session is kept and its user must log in again");
            return null;
        }
    }

    /** See {@link SessionBackup#sessionRenamed}. */
    public long sessionRenamed(BackedUpSession session, String oldId) {
        return backup.sessionRenamed(session, oldId);
    }

    /**
     * The container's sessions, for an engine that moves them between requests: in sticky mode off a memcached node
     * found down, so that a session is back in two places before its user's next request (non-sticky mode holds no
     * session between requests).
     */
    public final void relocatesSessionsOf(Iterable<? extends BackedUpSession> sessions) {
        backup.relocatesSessionsOf(sessions);
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
    public final void close() {
        backup.close();
        closeModeParts();
        store.close();
    }

    // ---------------------------------------------------------------- the way of a request, in each mode

    /**
     * A request arrived with this session id (before the application runs): what the id asks for is done, and
     * a session that gets a new id gives the client a cookie with it ({@link Visit}).
     *
     * @param jvmRoute this Tomcat's route, or null
     */
    public abstract <S extends EngineSession> void arriving(String requestedId, String jvmRoute, Visit<S> visit,
                                                           SessionContainer<S> container);

    /** The session with this id for the request: the container's, or one read from memcached; null for none. */
    public abstract <S extends EngineSession> S find(String id, Visit<S> visit, SessionContainer<S> container);

    /** The container created a session (for a request, or, with a null visit, outside one). */
    public abstract <S extends EngineSession> void created(S session, Visit<S> visit);

    /** An asynchronous request used this session on a thread of the application's, unseen by the visit. */
    public abstract <S extends EngineSession> void usedOnAnotherThread(S session, Visit<S> visit);

    /**
     * The request ended: the sessions it used are written, queued or skipped.
     *
     * @param hadSessionId whether the request came with a session id
     * @return whether the request's changes were accepted; when not, the caller must tell the client
     */
    public abstract <S extends EngineSession> Changes requestFinished(Visit<S> visit, boolean hadSessionId,
                                                                     SessionContainer<S> container);

    /**
     * The container removed the session: invalidated, or expired.
     *
     * @param timingOut whether it expired for being idle too long (not invalidated by the application)
     */
    public abstract void removed(EngineSession session, boolean timingOut);

    /**
     * Keeps the stored copy of a session in use but unchanged alive, from the container's background run.
     *
     * @return whether its expiration in memcached was refreshed
     */
    public abstract boolean refreshExpiration(EngineSession session);

    /** What a request's changes to its sessions came to (in sticky mode always accepted: they are written later). */
    public enum Changes {
        /** Stored, or nothing to store, or memcached could not be reached (counted and logged). */
        ACCEPTED,
        /** Refused: another request changed the session first, or this one ran without the lock it waited for. */
        CONFLICT,
        /** Refused: the session would be larger than {@code maxSessionSize}; memcached keeps it as it was. */
        OVERSIZED
    }

    /**
     * Turns what was read into the session, with the backup state of the mode.
     *
     * @param stay the stay the read begins, in non-sticky mode; none in sticky mode
     * @param holdsNothing whether the session read has no attribute and no login (so perhaps no backup copy)
     */
    abstract LoadedSession loaded(String storedId, String id, StoredSession stored, Map<String, Object> attributes,
                                  PrincipalCodec.Authentication authentication, byte[] blob, long cas, Stay stay,
                                  boolean holdsNothing, boolean importedFromMsm);

    /** The access times of a session memcached-session-manager wrote; null when they say it has expired. */
    abstract AccessTimes msmAccessTimes(String storedId, String id, MsmSessionBlob.MsmSession msm);

    /** Stops what only this mode runs (threads, connections' users); the store closes after it. */
    abstract void closeModeParts();

    /** A session's access times and maximum inactive interval, as memcached-session-manager kept them. */
    static final class AccessTimes {
        final long lastAccessedTime;
        final long thisAccessedTime;
        final int maxInactiveInterval;

        AccessTimes(long lastAccessedTime, long thisAccessedTime, int maxInactiveInterval) {
            this.lastAccessedTime = lastAccessedTime;
            this.thisAccessedTime = thisAccessedTime;
            this.maxInactiveInterval = maxInactiveInterval;
        }
    }

    /** Counts a request that used no session. */
    final void noSessionUsed(boolean hadSessionId) {
        statistics.requestFinished(hadSessionId);
        if (hadSessionId) {
            statistics.backupSkipped(Statistics.Skip.NO_SESSION_ACCESS);
        }
    }

    final Object loadLock(String id) {
        return loadLocks[(id.hashCode() & 0x7fffffff) % loadLocks.length];
    }

}
