package io.memsession.tomcat;

import java.io.IOException;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import javax.servlet.http.Cookie;

import org.apache.catalina.Container;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.Realm;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.util.SessionConfig;
import org.apache.juli.logging.Log;
import org.apache.juli.logging.LogFactory;

import io.memsession.core.LoadedSession;
import io.memsession.core.SessionContainer;
import io.memsession.core.SessionEngine;
import io.memsession.core.BackedUpSession;
import io.memsession.core.config.Configuration;
import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.ConfigurationException;
import io.memsession.core.config.StorageKeyPrefix;
import io.memsession.core.stats.Monitored;
import io.memsession.core.stats.NodeStatus;
import io.memsession.core.stats.Statistics;

/**
 * A Tomcat session manager that backs sessions up to memcached, so they survive the loss of a Tomcat or of a
 * memcached node. Declared in {@code context.xml} as
 * {@code <Manager className="io.memsession.tomcat.MemcachedSessionManager" memcachedNodes="n1:host1:11211,..."/>}.
 *
 * <p>In sticky mode (the default) sessions live in this Tomcat and are written to memcached after the requests that
 * change them. In non-sticky mode ({@code sticky="false"}) a session is read from memcached by the request that
 * uses it, shared by the parallel requests on this Tomcat, and written back before the last of them answers. All
 * decisions are taken by memsession's {@link SessionEngine}; this class maps Tomcat's session lifecycle onto
 * it. Attributes are set as text, exactly as in {@code context.xml}, and validated when the context starts.
 */
public class MemcachedSessionManager extends TomcatLineManager implements Monitored {

    private static final Log log = LogFactory.getLog(MemcachedSessionManager.class);

    /**
     * memsession's stored principal, and the classes of a FORM login's saved request: the only classes read back
     * from memcached with a session's principal. Never a realm's own principal classes, whose serialized form holds
     * the realm's password on Tomcat 8.5 and 9.
     */
    private static final List<String> PRINCIPAL_PACKAGES = principalPackages(StoredPrincipal.class.getName(),
            "org.apache.catalina.authenticator.SavedRequest", "org.apache.tomcat.util.buf.",
            "javax.servlet.http.Cookie");

    /** What the statistics attributes show while memsession is disabled or stopped. */
    private static final Statistics NO_STATISTICS = new Statistics(false);

    private final ConfigurationBuilder settings = new ConfigurationBuilder();
    private final List<String> unknownAttributes = new ArrayList<>();
    /** "name:class" of attribute values Tomcat's value class filter kept out of memcached, so each is logged once. */
    private final Set<String> refusedValues = Collections.newSetFromMap(new ConcurrentHashMap<String, Boolean>());
    /** What the engine asks of this Manager: Tomcat's part in the way of a request. */
    private final SessionContainer<MemcachedSession> container = new TomcatSessions();

    private volatile SessionEngine engine;
    /** Monitoring's listener (see {@link #listen}), handed to every engine this Manager starts. */
    private volatile Statistics.Listener statisticsListener;
    private volatile Configuration configuration;
    /** How a stored login becomes the session's principal again: chosen with the configuration. */
    private volatile Function<StoredPrincipal, Principal> storedLogins = this::confirmedByRealm;
    private SessionTrackingValve valve;
    /** Whether requestUriIgnorePattern applies: not where a FORM login guards the context (see {@link #formLoginGuards}). */
    private volatile boolean ignoresRequests = true;

    private static List<String> principalPackages(String... tomcatPackages) {
        List<String> packages = new ArrayList<>(Arrays.asList(tomcatPackages));
        packages.addAll(STORED_LOGIN_CLASSES);
        return Collections.unmodifiableList(packages);
    }

    // ---------------------------------------------------------------- lifecycle

    /** Tomcat registers the Manager's MBean here: its description must be there first (see {@link ManagerDescriptor}). */
    @Override
    protected void initInternal() throws LifecycleException {
        ManagerDescriptor.register(getClass());
        super.initInternal();
    }

    @Override
    protected void startInternal() throws LifecycleException {
        TomcatLineGuard.requireTheLineOfThisJar();
        String msmJars = MsmJars.leftOver();
        if (msmJars != null) {
            throw new LifecycleException(msmJars);
        }
        super.startInternal();
        if (!unknownAttributes.isEmpty()) {
            throw new LifecycleException("Manager " + getClass().getSimpleName() + " has no attribute "
                    + String.join(", ", unknownAttributes) + "; see docs/configuration.md for the attributes");
        }
        Configuration config;
        try {
            config = settings.tomcatFilters(getSessionAttributeNameFilter(), getSessionAttributeValueClassNameFilter(),
                    getWarnOnSessionAttributeFilterFailure()).build();
        } catch (ConfigurationException e) {
            throw new LifecycleException(e.getMessage(), e);
        }
        String exposure = SessionEngine.exposure(config);
        if (config.enabled() && exposure != null) {
            log.warn("memsession for " + contextName() + ": " + exposure);
        }
        for (String property : new TreeSet<>(System.getProperties().stringPropertyNames())) {
            if (property.startsWith("msm.")) {
                log.warn("system property " + property + " is memcached-session-manager's; memsession does not read"
                        + " it (see docs/migration.md, System properties, for what memsession does instead)");
            }
        }
        ignoresRequests = !formLoginGuards();
        if (!ignoresRequests && config.requestUriIgnorePattern() != null) {
            log.info("memsession for " + contextName() + ": requestUriIgnorePattern does not apply, a FORM login"
                    + " guards this context: its login must be found for every request it guards");
        }
        startEngine(config);
        holdFlushes(config);
        valve = new SessionTrackingValve(this);
        getContext().getParent().getPipeline().addValve(valve);
        setState(LifecycleState.STARTING);
    }

    /**
     * Where sessions are written before the response (non-sticky mode, synchronous backups), a response the
     * application flushes waits for the write: {@link HeldFlushes}, ahead of the context's own filters. A filter can
     * be added only while its context starts, which is when Tomcat starts its manager.
     */
    private void holdFlushes(Configuration config) {
        if (!config.enabled() || config.sticky() && config.sessionBackupAsync()) {
            return;
        }
        try {
            HeldFlushes.addTo(getContext().getServletContext());
        } catch (IllegalStateException e) {
            log.warn("memsession for " + contextName() + ": the context started before its manager, so a response"
                    + " the application flushes may leave before its session is written (" + e.getMessage() + ")");
        }
    }

    private void startEngine(Configuration config) throws LifecycleException {
        SessionEngine started = null;
        if (config.enabled()) {
            try {
                started = SessionEngine.start(config, webappNames(), getContext().getLoader().getClassLoader(),
                        PRINCIPAL_PACKAGES, msmPrincipalReader(getContext().getLoader().getClassLoader()),
                        getContext().getLoader().getClassLoader(),
                        this::expiryGraceSeconds,
                        "memsession-backup" + getContext().getName().replace('/', '-') + "-");
            } catch (IOException e) {
                throw new LifecycleException("cannot create the memcached clients: " + e, e);
            }
            // issue 15: sessions whose node is lost move off it without waiting for their next requests
            started.relocatesSessionsOf(() -> sessions.values().stream().filter(MemcachedSession.class::isInstance)
                    .<BackedUpSession>map(MemcachedSession.class::cast).iterator());
            log.info("memsession stores the sessions of " + contextName() + " in memcached: " + config);
        } else {
            log.info("memsession is disabled (enabled=\"false\") for " + contextName()
                    + ": sessions are kept in this Tomcat only");
        }
        if (started != null) {
            started.statistics().listen(statisticsListener);
        }
        SessionEngine previous = engine;
        storedLogins = config.sealsSessions() ? StoredPrincipal::toGenericPrincipal : this::confirmedByRealm;
        configuration = config;
        engine = started;
        if (previous != null) {
            previous.close();
        }
    }

    /**
     * Stops with the context: sessions are written if they changed and dropped from memory, never deleted from
     * memcached, so a restarted or reloaded context finds them again.
     */
    @Override
    protected void stopInternal() throws LifecycleException {
        setState(LifecycleState.STOPPING);
        if (valve != null) {
            getContext().getParent().getPipeline().removeValve(valve);
            valve = null;
        }
        SessionEngine stopping = engine;
        engine = null;
        for (Session session : findSessions()) {
            if (stopping != null && session instanceof MemcachedSession && session.isValid()) {
                MemcachedSession stored = (MemcachedSession) session;
                stored.passivate();
                stopping.writeIfChanged(stored);
                sessions.remove(stored.getIdInternal());
            } else {
                session.expire();
            }
        }
        if (stopping != null) {
            stopping.close();
        }
        super.stopInternal();
    }

    /**
     * How long a stored copy outlives Tomcat's own expiry of the session: the time Tomcat may take to notice the
     * expiry, one background period more, so memcached never drops a session Tomcat still serves.
     */
    private int expiryGraceSeconds() {
        int delay = -1;
        for (Container container = getContext(); container != null && delay <= 0;
                container = container.getParent()) {
            delay = container.getBackgroundProcessorDelay();
        }
        return delay <= 0 ? 60 : (getProcessExpiresFrequency() + 1) * delay;
    }

    /** Sessions are persisted in memcached, never in a file: nothing to load. */
    @Override
    public void load() {
    }

    /** Sessions are persisted in memcached, never in a file: nothing to unload. */
    @Override
    public void unload() {
    }

    private StorageKeyPrefix.WebappNames webappNames() {
        final Context context = getContext();
        return new StorageKeyPrefix.WebappNames() {
            @Override
            public String hostName() {
                return context.getParent().getName();
            }

            @Override
            public String contextName() {
                return context.getName();
            }

            @Override
            public String webappVersion() {
                return context.getWebappVersion() == null ? "" : context.getWebappVersion();
            }
        };
    }

    private String contextName() {
        String name = getContext().getName();
        return name.isEmpty() ? "ROOT" : name;
    }

    // ---------------------------------------------------------------- sessions

    @Override
    public Session createEmptySession() {
        return new MemcachedSession(this);
    }

    /**
     * Keeps a client-proposed id (Tomcat proposes the id a client uses in another context) only if memsession could
     * have generated it, its node is up and nothing is stored under it: not another application's session.
     */
    @Override
    public Session createSession(String sessionId) {
        SessionEngine current = engine;
        String id = current != null && sessionId != null && !current.mayAdopt(sessionId) ? null : sessionId;
        Session session = super.createSession(id);
        Configuration config = configuration;
        if (config != null && config.maxInactiveInterval() != null) {
            session.setMaxInactiveInterval(config.maxInactiveInterval());
        }
        if (current != null && session instanceof MemcachedSession) {
            RequestSessions request = RequestSessions.current(this);
            current.created((MemcachedSession) session, request == null ? null : request.visit());
        }
        return session;
    }

    @Override
    protected String generateSessionId() {
        String tomcatId = super.generateSessionId();
        SessionEngine current = engine;
        return current == null ? tomcatId : current.newSessionId(tomcatId);
    }

    /**
     * This Tomcat's session, or the session read from memcached, but only for a request in the valve that is not
     * ignored. Tomcat also looks up each session cookie of a request before any valve runs, until one names a session
     * (so that several cookies of the same name work): those lookups see this Tomcat's sessions only, or a request
     * with 100 cookies would cost 99 reads, even an ignored one. The id Tomcat settles on is read when the request
     * uses its session, once: Tomcat's authenticator and the application both ask for it.
     */
    @Override
    public Session findSession(String id) throws IOException {
        SessionEngine current = engine;
        RequestSessions request = RequestSessions.current(this);
        if (current == null || id == null || request == null) {
            return super.findSession(id);
        }
        return current.find(id, request.visit(), container);
    }

    /** The stored form of a session's principal (see {@link StoredPrincipal#of}). */
    Principal storable(Principal principal) {
        return StoredPrincipal.of(principal);
    }

    /**
     * The session's principal from its stored form: as stored when sessions are sealed, else the one the context's
     * realm gives for the stored user name, with the realm's roles. A login memcached-session-manager stored is
     * always only a user name for the realm to confirm: nothing authenticates it.
     *
     * @param importedFromMsm whether memcached-session-manager stored it (the realm's own principal class)
     * @return null when the session carried no login, or the realm does not confirm it (the user logs in again)
     */
    Principal restored(Principal stored, String sessionId, boolean importedFromMsm) {
        if (stored == null || !importedFromMsm && !(stored instanceof StoredPrincipal)) {
            return null;
        }
        Principal principal = importedFromMsm ? confirmedByRealm(stored.getName())
                : storedLogins.apply((StoredPrincipal) stored);
        if (principal == null) {
            log.warn("the realm of " + contextName() + " does not confirm the login of user \""
                    + printable(stored.getName()) + "\" that session " + sessionId + " holds in memcached (the user is"
                    + " unknown to the realm, or the realm cannot answer now): the session is kept without the login,"
                    + " and its user must log in again");
        }
        return principal;
    }

    /**
     * Without a key, anyone who can write to memcached can put any user name and roles into a session: only the
     * realm's own answer for that name is used.
     */
    private Principal confirmedByRealm(StoredPrincipal stored) {
        return confirmedByRealm(stored.getName());
    }

    private Principal confirmedByRealm(String userName) {
        Realm realm = getContext().getRealm();
        if (realm == null || userName == null) {
            return null;
        }
        try {
            Principal answer = realm.authenticate(userName);
            return TomcatLinePrincipals.isKnownUser(answer) ? answer : null;
        } catch (RuntimeException e) {
            log.debug("the realm failed to look up a stored login's user", e);
            return null;
        }
    }

    /** A name read from memcached, as it may appear in a log line: no line breaks, not longer than a name is. */
    private static String printable(String name) {
        String shortened = name.length() > 100 ? name.substring(0, 100) + "..." : name;
        return shortened.replaceAll("\\p{Cntrl}", "?");
    }

    @Override
    public void remove(Session session, boolean update) {
        super.remove(session, update);
        SessionEngine current = engine;
        if (current != null && session instanceof MemcachedSession) {
            MemcachedSession removed = (MemcachedSession) session;
            if (!removed.isRenaming()) {
                current.removed(removed, removed.isTimingOut());
            }
        }
    }

    void sessionRenamed(MemcachedSession session, String oldId) {
        SessionEngine current = engine;
        if (current != null) {
            // the renaming request is answered 409 if the session under its new id cannot be written
            RequestSessions.changed(session, current.sessionRenamed(session, oldId));
        }
    }

    /** Runs Tomcat's expiry, then keeps the stored copies of sessions that are used but unchanged alive. */
    @Override
    public void backgroundProcess() {
        super.backgroundProcess();
        SessionEngine current = engine;
        if (current != null) {
            for (Session session : findSessions()) {
                if (session instanceof MemcachedSession) {
                    current.refreshExpiration((MemcachedSession) session);
                }
            }
        }
    }

    // ---------------------------------------------------------------- requests (called by the valve)

    boolean isStoring() {
        return engine != null;
    }

    boolean isIgnored(String requestUri) {
        SessionEngine current = engine;
        return current != null && ignoresRequests && current.isIgnored(requestUri);
    }

    /**
     * Whether a FORM login guards part of the context. Its authenticator needs the session of each request it guards,
     * ignored or not: without it, a guarded resource that requestUriIgnorePattern matches gets the login page and a
     * new session, and its user is logged out. memcached-session-manager read the session for such requests too.
     */
    private boolean formLoginGuards() {
        Context context = getContext();
        return context.getLoginConfig() != null && "FORM".equals(context.getLoginConfig().getAuthMethod())
                && context.findConstraints().length > 0;
    }

    boolean storesAttribute(String name) {
        Configuration config = configuration;
        return config == null || config.storesAttribute(name);
    }

    /**
     * The session id a request with session cookies asks for. Before any valve, Tomcat keeps the first cookie that
     * names a session this Tomcat holds, else the last one (its lookups see no memcached, see {@link #findSession}).
     * When this Tomcat holds none of them, the first cookie whose id memsession could have made is the one: a
     * browser sends the cookie of the longest path first, so with cookies of two applications on one host, this
     * application's comes first. Deciding costs no memcached command, so no number of cookies costs more than the
     * reads of one id.
     */
    String requestedId(Request request) {
        String requested = request.getRequestedSessionId();
        SessionEngine current = engine;
        if (requested == null || !request.isRequestedSessionIdFromCookie() || sessions.containsKey(requested)
                || current == null) {
            return requested;
        }
        Cookie[] cookies = request.getCookies();
        String name = SessionConfig.getSessionCookieName(getContext());
        for (int i = 0; cookies != null && i < cookies.length; i++) {
            String id = cookies[i].getValue();
            if (name.equals(cookies[i].getName()) && current.mayHaveMade(id)) {
                if (!id.equals(requested)) {
                    request.setRequestedSessionId(id);
                }
                return id;
            }
        }
        return requested;
    }

    /**
     * Whether an attribute is written to memcached: its name passes the filters, and its value's class Tomcat's
     * {@code sessionAttributeValueClassNameFilter} (a value it refuses would make the stored session unreadable).
     */
    boolean storesAttribute(String name, Object value) {
        Configuration config = configuration;
        if (config == null) {
            return true;
        }
        if (!config.storesAttribute(name)) {
            return false;
        }
        if (config.storesValue(value)) {
            return true;
        }
        if (refusedValues.add(name + ":" + value.getClass().getName())) {
            String message = "session attribute '" + name + "' of class " + value.getClass().getName()
                    + " does not match sessionAttributeValueClassNameFilter; it is not stored in memcached and is"
                    + " lost on failover. This is logged once.";
            if (config.warnOnTomcatFilterFailure()) {
                log.warn(message);
            } else if (log.isDebugEnabled()) {
                log.debug(message);
            }
        }
        return false;
    }

    /** A request arrived with a session id: the engine does what it asks for (see {@link SessionEngine#arriving}). */
    void sessionArriving(RequestSessions request, String requestedId) {
        engine.arriving(requestedId, getJvmRoute(), request.visit(), container);
    }

    /** An asynchronous request's application used a session on a thread of its own. */
    void usedOnAnotherThread(RequestSessions request, Session session) {
        SessionEngine current = engine;
        if (current != null && session instanceof MemcachedSession) {
            current.usedOnAnotherThread((MemcachedSession) session, request.visit());
        }
    }

    /**
     * A request ended: the sessions it used are backed up.
     *
     * @return whether a non-sticky session's changes were accepted; when not, the client must be told
     */
    SessionEngine.Changes requestFinished(RequestSessions request, boolean hadSessionId) {
        SessionEngine current = engine;
        if (current == null) {
            return SessionEngine.Changes.ACCEPTED;
        }
        return current.requestFinished(request.visit(), hadSessionId, container);
    }

    /** Tomcat's part of the engine's work: the sessions in this Manager, and their listeners. */
    private final class TomcatSessions implements SessionContainer<MemcachedSession> {

        @Override
        public MemcachedSession find(String id) {
            Session session = sessions.get(id);
            return session instanceof MemcachedSession ? (MemcachedSession) session : null;
        }

        @Override
        public MemcachedSession restore(LoadedSession loaded) {
            MemcachedSession session = (MemcachedSession) createEmptySession();
            session.restore(loaded);
            return session;
        }

        @Override
        public void add(MemcachedSession session) {
            MemcachedSessionManager.this.add(session);
        }

        @Override
        public void activate(MemcachedSession session) {
            session.activate();
        }

        @Override
        public void rename(MemcachedSession session, String newId) {
            session.setId(newId, false);
        }

        @Override
        public void passivate(MemcachedSession session) {
            session.passivate();
        }

        @Override
        public void remove(MemcachedSession session) {
            sessions.remove(session.getIdInternal(), session);
        }
    }

    // ---------------------------------------------------------------- attributes

    void set(String name, String value) {
        String previous = settings.get(name);
        settings.set(name, value);
        if (getState().isAvailable()) {
            reconfigure(name, previous);
        }
    }

    /** An attribute changed at runtime (JMX): a new engine replaces the old one, or the change is refused. */
    private void reconfigure(String name, String previous) {
        try {
            startEngine(settings.build());
        } catch (ConfigurationException | LifecycleException e) {
            settings.set(name, previous);
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Tomcat calls this for an attribute of {@code <Manager>} that has no setter. Such an attribute is a typo or
     * belongs to another manager; the context refuses to start rather than run without it. Its value is never
     * shown: a misspelt {@code password} holds a secret.
     */
    public boolean setProperty(String name, String value) {
        String closest = settings.closestName(name);
        unknownAttributes.add(name + (closest == null ? "" : " (did you mean " + closest + "?)"));
        return true;
    }

    public String getMemcachedNodes() {
        return settings.get("memcachedNodes");
    }

    public void setMemcachedNodes(String memcachedNodes) {
        set("memcachedNodes", memcachedNodes);
    }

    public String getFailoverNodes() {
        return settings.get("failoverNodes");
    }

    public void setFailoverNodes(String failoverNodes) {
        set("failoverNodes", failoverNodes);
    }

    public String getConfigEndpointPollInterval() {
        return settings.get("configEndpointPollInterval");
    }

    public void setConfigEndpointPollInterval(String configEndpointPollInterval) {
        set("configEndpointPollInterval", configEndpointPollInterval);
    }

    public String getEnabled() {
        return settings.get("enabled");
    }

    public void setEnabled(String enabled) {
        set("enabled", enabled);
    }

    /** memcached-session-manager's typed form of {@link #setEnabled(String)}, for code written against it. */
    public void setEnabled(boolean enabled) {
        setEnabled(String.valueOf(enabled));
    }

    /** The value set, as memcached-session-manager's getter gave it; JMX shows this one. */
    public boolean isEnabled() {
        return settings.booleanValue("enabled");
    }

    public String getSticky() {
        return settings.get("sticky");
    }

    public void setSticky(String sticky) {
        set("sticky", sticky);
    }

    /** memcached-session-manager's typed form of {@link #setSticky(String)}. */
    public void setSticky(boolean sticky) {
        setSticky(String.valueOf(sticky));
    }

    /** The value set, as memcached-session-manager's getter gave it; JMX shows this one. */
    public boolean isSticky() {
        return settings.booleanValue("sticky");
    }

    public String getLockingMode() {
        return settings.get("lockingMode");
    }

    public void setLockingMode(String lockingMode) {
        set("lockingMode", lockingMode);
    }

    public String getLockExpiration() {
        return settings.get("lockExpiration");
    }

    public void setLockExpiration(String lockExpiration) {
        set("lockExpiration", lockExpiration);
    }

    /** memcached-session-manager's typed form of {@link #setLockExpiration(String)}. */
    public void setLockExpiration(int lockExpiration) {
        setLockExpiration(String.valueOf(lockExpiration));
    }

    public String getLockTimeout() {
        return settings.get("lockTimeout");
    }

    public void setLockTimeout(String lockTimeout) {
        set("lockTimeout", lockTimeout);
    }

    public String getBackupCopyBeforeResponse() {
        return settings.get("backupCopyBeforeResponse");
    }

    public void setBackupCopyBeforeResponse(String backupCopyBeforeResponse) {
        set("backupCopyBeforeResponse", backupCopyBeforeResponse);
    }

    public String getRequestUriIgnorePattern() {
        return settings.get("requestUriIgnorePattern");
    }

    public void setRequestUriIgnorePattern(String requestUriIgnorePattern) {
        set("requestUriIgnorePattern", requestUriIgnorePattern);
    }

    public String getSessionBackupAsync() {
        return settings.get("sessionBackupAsync");
    }

    public void setSessionBackupAsync(String sessionBackupAsync) {
        set("sessionBackupAsync", sessionBackupAsync);
    }

    /** memcached-session-manager's typed form of {@link #setSessionBackupAsync(String)}. */
    public void setSessionBackupAsync(boolean sessionBackupAsync) {
        setSessionBackupAsync(String.valueOf(sessionBackupAsync));
    }

    /** The value set, as memcached-session-manager's getter gave it; JMX shows this one. */
    public boolean isSessionBackupAsync() {
        return settings.booleanValue("sessionBackupAsync");
    }

    /**
     * The value set (unset: the number of processors), typed as memcached-session-manager's getter was; there is no
     * text getter of this name beside it, Java allows one getter per name.
     */
    public int getBackupThreadCount() {
        return settings.intValue("backupThreadCount");
    }

    public void setBackupThreadCount(String backupThreadCount) {
        set("backupThreadCount", backupThreadCount);
    }

    /** memcached-session-manager's typed form of {@link #setBackupThreadCount(String)}. */
    public void setBackupThreadCount(int backupThreadCount) {
        setBackupThreadCount(String.valueOf(backupThreadCount));
    }

    /** The value set, in milliseconds, typed as memcached-session-manager's getter was (see {@link #getBackupThreadCount}). */
    public long getSessionBackupTimeout() {
        return settings.intValue("sessionBackupTimeout");
    }

    public void setSessionBackupTimeout(String sessionBackupTimeout) {
        set("sessionBackupTimeout", sessionBackupTimeout);
    }

    /** memcached-session-manager's typed form of {@link #setSessionBackupTimeout(String)}. */
    public void setSessionBackupTimeout(int sessionBackupTimeout) {
        setSessionBackupTimeout(String.valueOf(sessionBackupTimeout));
    }

    /**
     * The setter JMX uses: its attribute takes the type of the getter, {@code long} as memcached-session-manager's
     * getter had it.
     */
    public void setSessionBackupTimeout(long sessionBackupTimeout) {
        setSessionBackupTimeout(String.valueOf(sessionBackupTimeout));
    }

    /** The value set, in milliseconds, typed as memcached-session-manager's getter was (see {@link #getBackupThreadCount}). */
    public long getOperationTimeout() {
        return settings.intValue("operationTimeout");
    }

    public void setOperationTimeout(String operationTimeout) {
        set("operationTimeout", operationTimeout);
    }

    /** memcached-session-manager's typed form of {@link #setOperationTimeout(String)}. */
    public void setOperationTimeout(long operationTimeout) {
        setOperationTimeout(String.valueOf(operationTimeout));
    }

    public String getStorageKeyPrefix() {
        return settings.get("storageKeyPrefix");
    }

    public void setStorageKeyPrefix(String storageKeyPrefix) {
        set("storageKeyPrefix", storageKeyPrefix);
    }

    public String getSessionAttributeFilter() {
        return settings.get("sessionAttributeFilter");
    }

    public void setSessionAttributeFilter(String sessionAttributeFilter) {
        set("sessionAttributeFilter", sessionAttributeFilter);
    }

    public String getTranscoderFactoryClass() {
        return settings.get("transcoderFactoryClass");
    }

    public void setTranscoderFactoryClass(String transcoderFactoryClass) {
        set("transcoderFactoryClass", transcoderFactoryClass);
    }

    public String getCopyCollectionsForSerialization() {
        return settings.get("copyCollectionsForSerialization");
    }

    public void setCopyCollectionsForSerialization(String copyCollectionsForSerialization) {
        set("copyCollectionsForSerialization", copyCollectionsForSerialization);
    }

    /** memcached-session-manager's typed form of {@link #setCopyCollectionsForSerialization(String)}. */
    public void setCopyCollectionsForSerialization(boolean copyCollectionsForSerialization) {
        setCopyCollectionsForSerialization(String.valueOf(copyCollectionsForSerialization));
    }

    public String getCustomConverter() {
        return settings.get("customConverter");
    }

    public void setCustomConverter(String customConverter) {
        set("customConverter", customConverter);
    }

    public String getClassAllowList() {
        return settings.get("classAllowList");
    }

    public void setClassAllowList(String classAllowList) {
        set("classAllowList", classAllowList);
    }

    public String getMaxSessionSize() {
        return settings.get("maxSessionSize");
    }

    public void setMaxSessionSize(String maxSessionSize) {
        set("maxSessionSize", maxSessionSize);
    }

    public String getClassAllowListMode() {
        return settings.get("classAllowListMode");
    }

    public void setClassAllowListMode(String classAllowListMode) {
        set("classAllowListMode", classAllowListMode);
    }

    public String getEncryptionKeyFile() {
        return settings.get("encryptionKeyFile");
    }

    public void setEncryptionKeyFile(String encryptionKeyFile) {
        set("encryptionKeyFile", encryptionKeyFile);
    }

    public String getMsmImport() {
        return settings.get("msmImport");
    }

    public void setMsmImport(String msmImport) {
        set("msmImport", msmImport);
    }

    public String getEnableStatistics() {
        return settings.get("enableStatistics");
    }

    public void setEnableStatistics(String enableStatistics) {
        set("enableStatistics", enableStatistics);
    }

    /** memcached-session-manager's typed form of {@link #setEnableStatistics(String)}. */
    public void setEnableStatistics(boolean enableStatistics) {
        setEnableStatistics(String.valueOf(enableStatistics));
    }

    public String getMemcachedProtocol() {
        return settings.get("memcachedProtocol");
    }

    public void setMemcachedProtocol(String memcachedProtocol) {
        set("memcachedProtocol", memcachedProtocol);
    }

    public String getUsername() {
        return settings.get("username");
    }

    public void setUsername(String username) {
        set("username", username);
    }

    /** Write-only: a password is never shown, not even over JMX. */
    public void setPassword(String password) {
        set("password", password);
    }

    public String getPasswordFile() {
        return settings.get("passwordFile");
    }

    public void setPasswordFile(String passwordFile) {
        set("passwordFile", passwordFile);
    }

    public String getTls() {
        return settings.get("tls");
    }

    public void setTls(String tls) {
        set("tls", tls);
    }

    public String getTlsTrustStoreFile() {
        return settings.get("tlsTrustStoreFile");
    }

    public void setTlsTrustStoreFile(String tlsTrustStoreFile) {
        set("tlsTrustStoreFile", tlsTrustStoreFile);
    }

    /** Write-only, as {@link #setPassword}. */
    public void setTlsTrustStorePassword(String tlsTrustStorePassword) {
        set("tlsTrustStorePassword", tlsTrustStorePassword);
    }

    /**
     * Its getter and typed setter are {@link TomcatLineManager}'s: Tomcat 7 has a property of its own under this name,
     * the context's session timeout.
     */
    public void setMaxInactiveInterval(String maxInactiveInterval) {
        set("maxInactiveInterval", maxInactiveInterval);
    }

    public boolean isMaxInactiveIntervalSet() {
        return settings.get("maxInactiveInterval") != null;
    }

    /** Tomcat's own attribute, applied by memsession (see {@link ConfigurationBuilder#tomcatFilters}). */
    @Override
    public void setSessionAttributeNameFilter(String sessionAttributeNameFilter) {
        super.setSessionAttributeNameFilter(sessionAttributeNameFilter);
        tomcatFiltersChanged();
    }

    /** Tomcat's own attribute, applied by memsession (see {@link ConfigurationBuilder#tomcatFilters}). */
    @Override
    public void setSessionAttributeValueClassNameFilter(String sessionAttributeValueClassNameFilter) {
        super.setSessionAttributeValueClassNameFilter(sessionAttributeValueClassNameFilter);
        tomcatFiltersChanged();
    }

    /** Tomcat's own attribute, applied by memsession (see {@link ConfigurationBuilder#tomcatFilters}). */
    @Override
    public void setWarnOnSessionAttributeFilterFailure(boolean warnOnSessionAttributeFilterFailure) {
        super.setWarnOnSessionAttributeFilterFailure(warnOnSessionAttributeFilterFailure);
        tomcatFiltersChanged();
    }

    /** A filter changed at runtime (JMX): a new engine applies it. Tomcat has checked the expression. */
    private void tomcatFiltersChanged() {
        if (settings != null && getState().isAvailable()) { // null: ManagerBase's constructor sets a default
            settings.tomcatFilters(getSessionAttributeNameFilter(), getSessionAttributeValueClassNameFilter(),
                    getWarnOnSessionAttributeFilterFailure());
            try {
                startEngine(settings.build());
            } catch (ConfigurationException | LifecycleException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
    }

    int intValue(String name) {
        return settings.intValue(name);
    }

    // ---------------------------------------------------------------- statistics (JMX attributes)

    @Override
    public Statistics statistics() {
        SessionEngine current = engine;
        return current == null ? NO_STATISTICS : current.statistics();
    }

    @Override
    public List<NodeStatus> nodes() {
        SessionEngine current = engine;
        return current == null ? Collections.<NodeStatus>emptyList() : current.nodeStatuses();
    }

    @Override
    public void listen(Statistics.Listener listener) {
        statisticsListener = listener;
        SessionEngine current = engine;
        if (current != null) {
            current.statistics().listen(listener);
        }
    }

    public long getMsmStatNumRequestsWithSession() {
        return statistics().requestsWithSession();
    }

    public long getMsmStatNumRequestsWithoutSession() {
        return statistics().requestsWithoutSession();
    }

    public long getMsmStatNumNoSessionAccess() {
        return statistics().noSessionAccess();
    }

    public long getMsmStatNumNoAttributesAccess() {
        return statistics().noAttributesAccess();
    }

    public long getMsmStatNumNoSessionModification() {
        return statistics().noModification();
    }

    public long getMsmStatNumBackupFailures() {
        return statistics().backupFailures();
    }

    public long getMsmStatNumTomcatFailover() {
        return statistics().tomcatFailovers();
    }

    public long getMsmStatNumMemcachedFailover() {
        return statistics().memcachedFailovers();
    }

    public long getMsmStatNumExpirationRefreshes() {
        return statistics().expirationRefreshes();
    }

    public long getMsmStatNumUnreadableSessions() {
        return statistics().unreadableSessions();
    }

    /**
     * Always 0: memcached-session-manager counted the sessions its pings found missing; memsession sends no pings (a
     * non-sticky request reads its session, and a missing one is a new session).
     */
    public long getMsmStatNumNonStickySessionsPingFailed() {
        return 0;
    }

    public long getMsmStatNumNonStickySessionsReadOnlyRequest() {
        return statistics().unlockedRequests();
    }

    public long getMsmStatNumLockTimeouts() {
        return statistics().lockTimeouts();
    }

    public long getMsmStatNumLocksLost() {
        return statistics().locksLost();
    }

    public long getMsmStatNumWriteConflicts() {
        return statistics().writeConflicts();
    }

    public long getMsmStatNumOversizedSessions() {
        return statistics().oversizedSessions();
    }

    /** memsession's own: non-sticky backup copies that could not be written before the response. */
    public long getMsmStatNumBackupCopyFailures() {
        return statistics().backupCopyFailures();
    }

    public String[] getMsmStatNonStickyAcquireLockInfo() {
        return statistics().lockWait().describe();
    }

    /** The waits that ended without the lock (lockTimeout). */
    public String[] getMsmStatNonStickyAcquireLockFailureInfo() {
        return statistics().lockWaitRefused().describe();
    }

    /** Releases sent on their own; the release at the end of a stay travels with its write, in none of these. */
    public String[] getMsmStatNonStickyReleaseLockInfo() {
        return statistics().lockRelease().describe();
    }

    /** What the end of a request cost its thread: the decision to write, and a synchronous write. */
    public String[] getMsmStatEffectiveBackupInfo() {
        return statistics().requestEnd().describe();
    }

    /** Non-sticky requests with a session id that never used the session: memsession reads and writes nothing. */
    public String[] getMsmStatNonStickyOnBackupWithoutLoadedSessionInfo() {
        return statistics().untouchedSession().describe();
    }

    /**
     * Always {@code Count = 0}: memcached-session-manager timed the validity and backup keys it wrote after a
     * session's write. memsession has no validity key, and writes backup copies on their own thread.
     */
    public String[] getMsmStatNonStickyAfterBackupInfo() {
        return NO_STATISTICS.backup().describe();
    }

    /** Always {@code Count = 0}: the validity key memcached-session-manager read after a session has no counterpart. */
    public String[] getMsmStatNonStickyAfterLoadFromMemcachedInfo() {
        return NO_STATISTICS.backup().describe();
    }

    /**
     * Always {@code Count = 0}: memcached-session-manager deleted the validity and backup keys after the session;
     * memsession deletes the backup copy together with it, in {@link #getMsmStatSessionsDeletedFromMemcachedInfo}.
     */
    public String[] getMsmStatNonStickyAfterDeleteFromMemcachedInfo() {
        return NO_STATISTICS.backup().describe();
    }

    public int getMsmStatQueuedBackups() {
        SessionEngine current = engine;
        return current == null ? 0 : current.queuedBackups();
    }

    public String[] getMsmStatAttributesSerializationInfo() {
        return statistics().attributesSerialization().describe();
    }

    public String[] getMsmStatBackupInfo() {
        return statistics().backup().describe();
    }

    public String[] getMsmStatBackupLagInfo() {
        return statistics().backupLag().describe();
    }

    public String[] getMsmStatMemcachedUpdateInfo() {
        return statistics().memcachedUpdate().describe();
    }

    public String[] getMsmStatSessionsLoadedFromMemcachedInfo() {
        return statistics().sessionsLoaded().describe();
    }

    public String[] getMsmStatSessionDeserializationInfo() {
        return statistics().sessionDeserialization().describe();
    }

    public String[] getMsmStatSessionsDeletedFromMemcachedInfo() {
        return statistics().sessionsDeleted().describe();
    }

    public String[] getMsmStatCachedDataSizeInfo() {
        return statistics().storedSize().describe();
    }

    /** The engine, for tests and the benchmark; null while disabled or stopped. */
    SessionEngine engine() {
        return engine;
    }
}
