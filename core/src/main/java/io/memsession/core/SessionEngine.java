package io.memsession.core;

import static io.memsession.core.support.Elapsed.millisSince;

import java.io.IOException;
import java.nio.ByteBuffer;
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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.memsession.core.backup.BackedUpSession;
import io.memsession.core.backup.BackupCopies;
import io.memsession.core.backup.BackupState;
import io.memsession.core.backup.SessionBackup;
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
import io.memsession.core.id.SessionId;
import io.memsession.core.lock.Checkout;
import io.memsession.core.lock.LockPolicy;
import io.memsession.core.lock.SessionLock;
import io.memsession.core.lock.SessionLocks;
import io.memsession.core.stats.Statistics;
import io.memsession.core.store.MemcachedStore;
import io.memsession.core.store.Pending;
import io.memsession.core.store.SessionStore;
import io.memsession.core.store.StorageKeys;
import io.memsession.core.store.StoreException;
import io.memsession.core.store.Versioned;
import io.memsession.core.support.RateLimit;
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
 */
public final class SessionEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SessionEngine.class.getName());
    private static final ArrivingSessionId KEEP = new ArrivingSessionId(ArrivingSessionId.Action.KEEP, null);
    /**
     * Non-sticky stored copies live as long as the session may stay idle, plus the second that memcached's
     * whole-second clock may cut off.
     */
    private static final int NON_STICKY_GRACE_SECONDS = 1;
    /** How often a busy stay looks whether other Tomcats wait for its lock: the longest turn a Tomcat gets. */
    private static final long FAIRNESS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Longer than a waiting Tomcat's pause between two attempts ({@link SessionLocks}), so it gets the lock. */
    private static final long GIVE_WAY_MILLIS = 25;
    /** Key ids whose refusals are logged once each; beyond this many, planted ones are only counted. */
    private static final int MAX_LOGGED_KEY_IDS = 64;

    private final Configuration config;
    private final SessionStore store;
    private final StorageKeys keys;
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
    private final Statistics statistics;
    private final SessionBackup backup;
    private final IntSupplier graceSeconds;
    /** Non-sticky mode only; null in sticky mode. */
    private final BackupCopies copies;
    private final LockPolicy lockPolicy;
    /** Null unless non-sticky mode locks some requests. */
    private final SessionLocks locks;
    private final RateLimit conflictWarnings = new RateLimit(10, TimeUnit.SECONDS);
    /** Key ids (the empty string for unsealed sessions) whose refusal was logged. */
    private final Map<String, Boolean> refusalsLogged = new ConcurrentHashMap<>();

    /**
     * @param webapp the identity of the web application ({@link SessionBlob#webapp}): stored sessions of another
     *        are never used here
     */
    SessionEngine(Configuration config, SessionStore store, String keyPrefix, String webapp,
                  TranscoderFactory factory, ClassLoader webappClassLoader, PrincipalCodec principalCodec,
                  MsmPrincipalReader msmPrincipals, IntSupplier graceSeconds, String threadNamePrefix) {
        this.config = config;
        this.store = store;
        this.keys = new StorageKeys(keyPrefix, config.nodes().encodesNodeIds());
        this.blobs = new SessionBlob(webapp, SessionSeal.of(config.sealingKeys()));
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
        this.factory = factory;
        this.msmPrincipals = msmPrincipals;
        this.statistics = new Statistics(config.enableStatistics());
        this.graceSeconds = graceSeconds;
        this.lockPolicy = new LockPolicy(config.lockingMode());
        if (config.sticky()) {
            this.copies = null;
            this.locks = null;
            this.backup = new SessionBackup(store, keys, transcoder, serializerId, blobs, principalCodec,
                    statistics, SessionBackup.Settings.sticky(config, graceSeconds, threadNamePrefix,
                            this::chooseNode)); // issue 15: a session whose node is lost moves as on arrival
        } else {
            List<String> ring = new ArrayList<>();
            if (config.nodes().encodesNodeIds()) {
                for (MemcachedNode node : config.nodes().all()) {
                    ring.add(node.id());
                }
            }
            this.copies = new BackupCopies(store, keys, ring, config.operationTimeoutMillis(),
                    threadNamePrefix + "copies");
            this.locks = lockPolicy.locksAtAll() ? new SessionLocks(store, statistics,
                    config.lockExpirationSeconds(), config.operationTimeoutMillis(), threadNamePrefix + "locks")
                    : null;
            this.backup = new SessionBackup(store, keys, transcoder, serializerId, blobs, principalCodec,
                    statistics, SessionBackup.Settings.nonSticky(config, NON_STICKY_GRACE_SECONDS, copies));
        }
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
            return new SessionEngine(config, store, config.storageKeyPrefix().resolve(webapp),
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
        if (!config.sticky()) {
            return inspectNonSticky(requestedId);
        }
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
            } else if (encodes && id.nodeId() != null && !store.isAvailable(id.nodeId())) {
                String node = chooseNode(id.nodeId()); // issue 15: the copy moved off it; so does the session
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
     * Non-sticky sessions belong to no Tomcat, so routes never matter; a session whose node is down is restored
     * from its backup copy.
     */
    private ArrivingSessionId inspectNonSticky(String requestedId) {
        SessionId id = SessionId.parse(requestedId);
        if (id == null || (!config.nodes().encodesNodeIds() && id.nodeId() != null)
                || (id.nodeId() != null && !config.nodes().contains(id.nodeId()))) {
            return new ArrivingSessionId(ArrivingSessionId.Action.MALFORMED, null);
        }
        if (id.nodeId() != null && !store.isAvailable(id.nodeId())) {
            return new ArrivingSessionId(ArrivingSessionId.Action.RESTORE, null);
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
        SessionId parsed = parseOwn(id);
        return parsed != null && (parsed.nodeId() == null || store.isAvailable(parsed.nodeId()));
    }

    /** Whether memsession could have made this id and stored its session: it parses and names a configured node. */
    public boolean mayHaveMade(String id) {
        return parseOwn(id) != null;
    }

    /** The id parsed, if it names a configured node (or none, for a single node without id); else null. */
    private SessionId parseOwn(String id) {
        SessionId parsed = SessionId.parse(id);
        if (parsed == null) {
            return null;
        }
        boolean own = config.nodes().encodesNodeIds()
                ? parsed.nodeId() != null && config.nodes().contains(parsed.nodeId())
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
     * @param checkout null in sticky mode
     * @param cas memcached's version of the blob for a compare-and-set write, 0 for none (sticky mode, or a session
     *        that moves to a new key)
     * @return null when the blob is another web application's: it is left alone
     */
    private LoadedSession read(String storedId, String id, byte[] blob, long startNanos, Checkout checkout,
                               long cas) throws UnreadableSessionException {
        try {
            return readUnchecked(storedId, id, blob, startNanos, checkout, cas);
        } catch (UnreadableSessionException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError | LinkageError e) {
            // an OutOfMemoryError here is an allocation the bytes asked for, not a full heap: the blob is at most
            // one memcached item, and its lengths are checked against it
            throw new UnreadableSessionException(e instanceof SerializationException ? e.getMessage() : e.toString(),
                    e);
        }
    }

    private LoadedSession readUnchecked(String storedId, String id, byte[] blob, long startNanos, Checkout checkout,
                                        long cas) {
        if (MsmSessionBlob.isMsmSession(blob)) {
            return importMsm(storedId, id, blob, startNanos, checkout, cas);
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
        statistics.sessionDeserialized(millisSince(deserializationStart));
        // written before a filter changed: what the filters keep out now is not read either, as in Tomcat
        attributes.keySet().removeIf(name -> !config.storesAttribute(name));
        PrincipalCodec.Authentication authentication = readAuthentication(storedId, stored.principal());
        statistics.sessionLoaded(millisSince(startNanos));
        BackupState state;
        if (checkout == null) {
            long storedExpiry = stored.maxInactiveInterval() <= 0 ? Long.MAX_VALUE
                    : stored.thisAccessedTime() + (stored.maxInactiveInterval() + (long) graceSeconds.getAsInt())
                    * 1000L;
            state = BackupState.forLoadedSession(stored.attributes(), storedExpiry);
        } else {
            state = BackupState.forCheckedOutSession(stored.attributes(), blob, cas, checkout.lock() != null,
                    attributes.isEmpty() && stored.principal() == null);
            if (!id.equals(storedId)) {
                state.movesToNewKey(checkout.lock() != null);
            }
        }
        return new LoadedSession(id, stored, attributes, authentication, state, checkout, false);
    }

    /**
     * Reads a session memcached-session-manager (msm) wrote, so that the switch from msm logs nobody out: with the
     * same class checks and read limits as memsession's own, its login confirmed by the realm as an unsealed
     * login is (msm's sessions say neither which application wrote them nor who), and written in memsession's
     * format by the request that reads it. What cannot be read, or may not be ({@code msmImport}), is left in
     * memcached for msm, should the switch be rolled back.
     */
    private LoadedSession importMsm(String storedId, String id, byte[] blob, long startNanos, Checkout checkout,
                                    long cas) {
        if (!config.importsMsmSessions(System.currentTimeMillis())) {
            throw new ForeignSessionException("msm, not imported", "it was written by memcached-session-manager, "
                    + "and msmImport=\"" + config.msmImport() + "\" does not import such sessions "
                    + (config.sealsSessions() ? "into sealed ones (encryptionKeyFile)" : "now")
                    + "; it is left in memcached");
        }
        try {
            return importMsmUnchecked(storedId, id, blob, startNanos, checkout, cas);
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
                                             Checkout checkout, long cas) {
        MsmSessionBlob.MsmSession msm = MsmSessionBlob.decode(blob);
        if (!msm.id().equals(storedId)) {
            throw new UnreadableSessionException("it holds the session " + msm.id());
        }
        long lastAccessedTime = msm.lastAccessedTime();
        long thisAccessedTime = msm.thisAccessedTime();
        int maxInactiveInterval = msm.maxInactiveInterval();
        if (checkout != null) {
            // msm wrote a non-sticky session only when it changed; the times of its later requests are beside it
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
        }
        MsmAttributesReader reader = msmReaderFor(msm.attributes());
        long deserializationStart = System.nanoTime();
        Map<String, Object> attributes = reader.read(msm.attributes());
        statistics.sessionDeserialized(millisSince(deserializationStart));
        attributes.keySet().removeIf(name -> !config.storesAttribute(name));
        byte[] login = msm.principal() != null ? msm.principal() : msm.formPrincipal();
        PrincipalCodec.Authentication authentication = readMsmAuthentication(storedId, login);
        statistics.sessionLoaded(millisSince(startNanos));
        StoredSession stored = new StoredSession(msm.id(), msm.creationTime(), lastAccessedTime, thisAccessedTime,
                maxInactiveInterval, msm.isNew(), authentication == null ? null : msm.authType(), null,
                serializerId, msm.attributes());
        BackupState state;
        if (checkout == null) {
            long storedExpiry = maxInactiveInterval <= 0 ? Long.MAX_VALUE
                    : thisAccessedTime + (maxInactiveInterval + (long) graceSeconds.getAsInt()) * 1000L;
            state = BackupState.forLoadedSession(msm.attributes(), storedExpiry);
        } else {
            state = BackupState.forCheckedOutSession(msm.attributes(), blob, cas, checkout.lock() != null, false);
            if (!id.equals(storedId)) {
                state.movesToNewKey(checkout.lock() != null);
            }
        }
        if (importLogged.compareAndSet(false, true)) {
            LOG.info("memsession imports the sessions memcached-session-manager wrote for " + blobs.webapp()
                    + " (msmImport=\"" + config.msmImport() + "\"), beginning with " + storedId + "; each is written in"
                    + " memsession's format by the request that reads it. This is logged once.");
        }
        return new LoadedSession(id, stored, attributes, authentication, state, checkout, true);
    }

    /** msm's access times of a non-sticky session, or of its backup copy when the session is restored from it. */
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

    private void unreadable(String id, UnreadableSessionException e) {
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
    private void logUnreadable(String message, UnreadableSessionException e) {
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

    // ---------------------------------------------------------------- non-sticky mode

    /**
     * Non-sticky mode: reads a session for a request, after taking its lock when {@code lockingMode} locks this
     * request. Uncontended, the lock and the read cost one round trip: both are sent before the first answer is
     * awaited. A contended lock is retried until {@code lockTimeout}; then the request goes on without it, and a
     * change it makes is refused ({@link #checkIn}).
     *
     * @return null when memcached has no readable session under this id, or the node cannot be reached
     */
    public LoadedSession checkOut(String id, String method, String uri, String query) {
        if (!canLoad(id)) {
            return null;
        }
        long start = System.nanoTime();
        LockedRead read = readLocked(id, method, uri, query, start);
        if (read == null) {
            return null;
        }
        if (read.stored == null) {
            releaseQuietly(read.checkout.lock());
            return null;
        }
        return readCheckedOut(id, id, read.stored.value(), read.stored.cas(), read.checkout, start);
    }

    /** A non-sticky session's stored form as read, and the stay its request begins (with the lock, if taken). */
    private static final class LockedRead {
        final Versioned stored;
        final Checkout checkout;

        LockedRead(Versioned stored, Checkout checkout) {
            this.stored = stored;
            this.checkout = checkout;
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
        SessionLock lock = locks != null && lockPolicy.locks(method, uri, query)
                ? locks.newLock(nodeId, keys.lockKey(id), keys.lockWaitKey(id)) : null;
        if (lock == null && locks != null) {
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
        return new LockedRead(stored, new Checkout(lock, lockTimedOut));
    }

    /**
     * Turns a blob read for a stay into the session; an unreadable one is deleted and its lock released.
     *
     * @return null when the blob cannot be read
     */
    private LoadedSession readCheckedOut(String storedId, String id, byte[] blob, long cas, Checkout checkout,
                                         long start) {
        try {
            LoadedSession loaded = read(storedId, id, blob, start, checkout, cas);
            if (loaded == null) {
                releaseQuietly(checkout.lock());
                return null;
            }
            if (checkout.lockTimedOut()) {
                loaded.backupState().refuseWrites(); // the lock's holder is changing it
            }
            return loaded;
        } catch (UnreadableSessionException e) {
            releaseQuietly(checkout.lock());
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
     * Non-sticky mode: whether a request may join a stay of this Tomcat. A stay whose lock requests on other Tomcats
     * wait for takes no new requests, so that it ends and they get their turn: without this, a Tomcat busy with a
     * session would keep its lock for as long as its requests overlap, and the others would time out. Whether others
     * wait costs one read, at most every {@link #FAIRNESS_CHECK_NANOS}, by the request that asks.
     */
    public boolean mayJoin(Checkout stay) {
        SessionLock lock = stay.lock();
        if (lock != null && stay.othersCheckDue(FAIRNESS_CHECK_NANOS) && locks.othersWait(lock)) {
            stay.closeForOthers();
        }
        return !stay.isClosedForOthers();
    }

    /**
     * Non-sticky mode: a request that waited for a stay that closed for other Tomcats ({@link #mayJoin}) pauses, so
     * that a Tomcat polling for the lock takes it before this one does.
     */
    public void giveWay(Checkout endedStay) {
        if (!endedStay.isClosedForOthers()) {
            return;
        }
        try {
            Thread.sleep(GIVE_WAY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Non-sticky mode: the stay of a session a request creates. */
    public Checkout newSessionCheckout() {
        return Checkout.forNewSession();
    }

    /**
     * Non-sticky mode: restores a session whose node is down from its backup copy. The session moves to the node
     * that held the copy: a new id, written there (and its own copy on the next node) when the request ends.
     *
     * <p>Other requests of the same client, sent with the old id before the client learnt the new one, may restore
     * the session on other Tomcats too. The first restore's session is the one they all continue: the new id is
     * read (under its lock, when this request locks) before the copy is used, and the copy's first write under the
     * new id is an {@code add}, refused if another Tomcat wrote the session first.
     *
     * @return the session under its new id ({@link LoadedSession#id()}), or null when no copy can be found
     */
    public LoadedSession restoreFromBackup(String id, String method, String uri, String query) {
        SessionId parsed = SessionId.parse(id);
        if (copies == null || parsed == null || parsed.nodeId() == null) {
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
            return readCheckedOut(newId, newId, read.stored.value(), read.stored.cas(), read.checkout, start);
        }
        LoadedSession restored = readCheckedOut(id, newId, copy.blob(), 0, read.checkout, start);
        if (restored != null) {
            statistics.memcachedFailover();
        }
        return restored;
    }

    /**
     * Non-sticky mode: a request that used the session ended. Its changes are written now, before the response is
     * complete, so the client's next request, on any Tomcat, sees them; the last request of the stay releases the
     * lock in the same round trip. A write is a compare-and-set against the version read: it never overwrites
     * another Tomcat's write.
     *
     * @param last whether this request ends the session's stay in this Tomcat
     * @param lastChange the number of the request's last change to the session, 0 for none (see
     *        {@link BackupState#attributesAccessed()})
     * @return whether the request's changes were accepted; when refused, the caller must tell the client
     */
    public CheckIn checkIn(BackedUpSession session, Checkout checkout, boolean last, long lastChange, String method,
                           String uri) {
        long start = System.nanoTime();
        SessionLock lock = checkout.lock();
        SessionBackup.Alongside release = last && lock != null ? () -> locks.startRelease(lock) : null;
        SessionBackup.Outcome outcome = backup.writeBeforeResponse(session, lastChange, release);
        statistics.requestEnded(millisSince(start));
        lockPolicy.requestEnded(method, uri, lock != null, outcome != SessionBackup.Outcome.UNCHANGED);
        if (outcome == SessionBackup.Outcome.OVERSIZED) {
            return CheckIn.OVERSIZED; // counted and logged where it was found
        }
        if (outcome != SessionBackup.Outcome.REFUSED) {
            return CheckIn.ACCEPTED;
        }
        statistics.writeConflict();
        String message = "the changes of a request to session " + session.id() + " are refused: "
                + (checkout.lockTimedOut() ? "it ran without the session's lock (lockTimeout)"
                : "another request changed or removed the session since this one read it")
                + "; the client is told the request failed (counted in msmStatNumWriteConflicts)";
        if (conflictWarnings.permits()) {
            LOG.warning(message + "; similar refusals are logged at most every 10 s");
        } else {
            LOG.fine(message);
        }
        return CheckIn.CONFLICT;
    }

    /** What a non-sticky request's changes to its session came to. */
    public enum CheckIn {
        /** Stored, or nothing to store, or memcached could not be reached (counted and logged). */
        ACCEPTED,
        /** Refused: another request changed the session first, or this one ran without the lock it waited for. */
        CONFLICT,
        /** Refused: the session would be larger than {@code maxSessionSize}; memcached keeps it as it was. */
        OVERSIZED
    }

    /**
     * Non-sticky mode: the session was invalidated. It is deleted with its backup copy, then its lock is released.
     */
    public void sessionInvalidated(BackedUpSession session, Checkout checkout) {
        backup.sessionRemoved(session, false, 0);
        if (checkout != null) {
            releaseQuietly(checkout.lock());
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

    /**
     * A request ended.
     *
     * @param session the session the request used (created, found or renamed), or null if it used none
     * @param hadSessionId whether the request came with a session id
     */
    public void requestFinished(BackedUpSession session, boolean hadSessionId) {
        long start = System.nanoTime();
        statistics.requestFinished(session != null || hadSessionId);
        if (session == null) {
            if (hadSessionId) {
                statistics.backupSkipped(Statistics.Skip.NO_SESSION_ACCESS);
                if (!config.sticky()) {
                    statistics.sessionUntouched(millisSince(start));
                }
            }
            return;
        }
        if (session.isLive()) {
            backup.afterRequest(session);
        }
        statistics.requestEnded(millisSince(start));
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
    public long sessionRenamed(BackedUpSession session, String oldId) {
        return backup.sessionRenamed(session, oldId);
    }

    // ---------------------------------------------------------------- sticky sessions off a lost node (issue 15)

    /** Sticky mode: see {@link SessionBackup#movedTo}. */
    public String movedTo(String id) {
        return backup.movedTo(id);
    }

    /** Sticky mode: see {@link SessionBackup#relocatesSessionsOf}. */
    public void relocatesSessionsOf(Iterable<? extends BackedUpSession> sessions) {
        backup.relocatesSessionsOf(sessions);
    }

    /**
     * Sticky mode: {@link #load}s the newest stored copy of the session, on whichever node it moved to since the
     * client got the id ({@link SessionBackup#newestCopy}); the session's id is the copy's.
     */
    public LoadedSession loadNewest(String id) {
        String newest = backup.newestCopy(id);
        return newest == null ? null : load(newest);
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
        if (copies != null) {
            copies.close();
        }
        if (locks != null) {
            locks.close();
        }
        store.close();
    }
}
