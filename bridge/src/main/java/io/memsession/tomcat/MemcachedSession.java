package io.memsession.tomcat;

import java.security.Principal;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.catalina.authenticator.Constants;

import org.apache.catalina.session.StandardSession;

import io.memsession.core.BackupState;
import io.memsession.core.EngineSession;
import io.memsession.core.LoadedSession;
import io.memsession.core.SessionSnapshot;
import io.memsession.core.Stay;
import io.memsession.core.format.StoredSession;

/**
 * Tomcat's session, plus what the backup needs to know: whether a stored attribute was touched, whether the id or
 * the authentication changed.
 */
class MemcachedSession extends StandardSession implements EngineSession {

    private static final long serialVersionUID = 1L;

    /**
     * The notes of a FORM login under way: the request that asked for the login page and the id it was asked under.
     * Stored with the session, so a login begun on one Tomcat ends on another. The authenticator's credential notes
     * (the user name and password it keeps when its {@code cache} is off) are never stored.
     */
    static final List<String> STORED_NOTES = Collections.unmodifiableList(Arrays.asList(
            Constants.FORM_REQUEST_NOTE, Constants.SESSION_ID_NOTE));

    private final transient MemcachedSessionManager sessionManager;
    private transient volatile BackupState backupState = BackupState.forNewSession();
    /** Id changes one at a time: two at once would each take the other's {@link #renaming} for their own. */
    private final transient Object idChange = new Object();
    private transient volatile boolean renaming;
    /** Non-sticky mode: the session's stay in this Tomcat; none in sticky mode. */
    private transient volatile Stay stay;
    /** The principal and its stored form ({@link MemcachedSessionManager#storable}), replaced together. */
    private transient volatile Principal[] storablePrincipal;

    MemcachedSession(MemcachedSessionManager manager) {
        super(manager);
        this.sessionManager = manager;
    }

    /** Fills a fresh session from its stored form, without firing listeners. */
    void restore(LoadedSession loaded) {
        StoredSession fields = loaded.fields();
        this.id = loaded.id();
        this.creationTime = fields.creationTime();
        this.lastAccessedTime = fields.lastAccessedTime();
        this.thisAccessedTime = loaded.thisAccessedTime();
        this.stay = loaded.stay();
        // Tomcat makes the facade on first use, unsynchronized: parallel requests of a non-sticky stay could each get
        // one, and an application synchronizing on its HttpSession would hold two different monitors
        getSession();
        this.maxInactiveInterval = fields.maxInactiveInterval();
        this.isNew = false; // the client sent its id: it knows the session
        this.isValid = true;
        this.principal = sessionManager.restored(loaded.principal(), loaded.id(), loaded.isImportedFromMsm());
        boolean loginRefused = loaded.principal() != null && principal == null;
        this.authType = loginRefused ? null : fields.authType();
        for (Map.Entry<String, Object> note : loaded.notes().entrySet()) {
            this.notes.put(note.getKey(), sessionManager.restoredNote(note.getValue()));
        }
        this.attributes.putAll(loaded.attributes());
        this.backupState = loaded.backupState();
        if (loginRefused || loaded.isImportedFromMsm()) {
            // memcached's copy loses the refused login too, so the next read does not ask the realm again; and a
            // session memcached-session-manager wrote is written in memsession's format from now on
            mustWrite();
        }
    }

    @Override
    public Object getAttribute(String name) {
        Object value = super.getAttribute(name);
        attributeAccessed(name);
        return value;
    }

    @Override
    public void setAttribute(String name, Object value, boolean notify) {
        super.setAttribute(name, value, notify);
        attributeAccessed(name);
    }

    @Override
    public void removeAttribute(String name, boolean notify) {
        super.removeAttribute(name, notify);
        attributeAccessed(name);
    }

    private void attributeAccessed(String name) {
        if (name != null && sessionManager.storesAttribute(name)) {
            RequestSessions.changed(this, backupState.attributesAccessed());
        }
    }

    private void mustWrite() {
        RequestSessions.changed(this, backupState.mustWrite());
    }

    @Override
    public void setNote(String name, Object value) {
        super.setNote(name, value);
        if (STORED_NOTES.contains(name)) {
            mustWrite();
        }
    }

    @Override
    public void removeNote(String name) {
        if (STORED_NOTES.contains(name) && notes.containsKey(name)) {
            mustWrite();
        }
        super.removeNote(name);
    }

    @Override
    public void setAuthType(String authType) {
        if (authType == null ? this.authType != null : !authType.equals(this.authType)) {
            mustWrite();
        }
        super.setAuthType(authType);
    }

    @Override
    public void setPrincipal(Principal principal) {
        if (principal != this.principal) {
            mustWrite();
        }
        super.setPrincipal(principal);
    }

    /**
     * Every id change passes here: {@code changeSessionId()}, login with {@code changeSessionIdOnAuthentication},
     * Tomcat's {@code rotateSessionId}, and memsession's own failover renames. The stored copy moves with it.
     */
    @Override
    public void setId(String newId, boolean notify) {
        synchronized (idChange) {
            String oldId = this.id;
            renaming = oldId != null;
            try {
                super.setId(newId, notify);
            } finally {
                renaming = false;
            }
            if (oldId != null && !oldId.equals(newId)) {
                // within the lock: the stored copies move in the order of the renames
                sessionManager.sessionRenamed(this, oldId);
            }
        }
    }

    /** Renamed as on a memcached failover at a request's arrival: Tomcat's listeners are not told. */
    @Override
    public boolean relocate(String fromId, String newId) {
        synchronized (idChange) {
            if (!fromId.equals(this.id)) {
                return false;
            }
            setId(newId, false);
            return true;
        }
    }

    @Override
    public Stay stay() {
        return stay;
    }

    @Override
    public void beginStay(Stay newStay) {
        this.stay = newStay;
    }

    /** Whether the session is being removed from the manager only to come back under a new id. */
    boolean isRenaming() {
        return renaming;
    }

    /** Whether the session is being removed because it was idle too long (not invalidated by the application). */
    boolean isTimingOut() {
        return maxInactiveInterval > 0
                && System.currentTimeMillis() - thisAccessedTime >= maxInactiveInterval * 1000L;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BackupState backupState() {
        return backupState;
    }

    @Override
    public boolean isLive() {
        return isValid && !expiring;
    }

    @Override
    public long lastUsedMillis() {
        return thisAccessedTime;
    }

    @Override
    public int maxInactiveSeconds() {
        return maxInactiveInterval;
    }

    /**
     * The same stored form while the principal stays the same, so the backup encodes it once. Parallel writers may
     * both make it; either result is right.
     */
    private Principal storablePrincipal() {
        Principal current = principal;
        Principal[] known = storablePrincipal;
        if (known == null || known[0] != current) {
            known = new Principal[] {current, sessionManager.storable(current)};
            storablePrincipal = known;
        }
        return known[1];
    }

    @Override
    public SessionSnapshot snapshot() {
        Map<String, Object> stored = new TreeMap<>();
        for (Map.Entry<String, Object> attribute : attributes.entrySet()) {
            if (sessionManager.storesAttribute(attribute.getKey(), attribute.getValue())) {
                stored.put(attribute.getKey(), attribute.getValue());
            }
        }
        Map<String, Object> storedNotes = Collections.emptyMap();
        if (notes.containsKey(Constants.FORM_REQUEST_NOTE)) {
            storedNotes = new HashMap<>();
            for (String name : STORED_NOTES) {
                Object value = notes.get(name);
                if (value != null) {
                    storedNotes.put(name, sessionManager.storableNote(value));
                }
            }
        }
        return new SessionSnapshot(creationTime, lastAccessedTime, thisAccessedTime, maxInactiveInterval, isNew,
                authType, storablePrincipal(), stored, storedNotes);
    }
}
