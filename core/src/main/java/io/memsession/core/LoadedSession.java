package io.memsession.core;

import java.security.Principal;
import java.util.Collections;
import java.util.Map;

import io.memsession.core.backup.BackupState;
import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.StoredSession;
import io.memsession.core.lock.Stay;

/** A session read from memcached, ready for the bridge to turn into a container session. */
public final class LoadedSession {

    private final String id;
    private final StoredSession stored;
    private final Map<String, Object> attributes;
    private final PrincipalCodec.Authentication authentication;
    private final BackupState backupState;
    private final Stay stay;
    private final long thisAccessedTime;
    private final boolean importedFromMsm;

    LoadedSession(String id, StoredSession stored, Map<String, Object> attributes,
                  PrincipalCodec.Authentication authentication, BackupState backupState, Stay stay,
                  long thisAccessedTime, boolean importedFromMsm) {
        this.id = id;
        this.stored = stored;
        this.attributes = attributes;
        this.authentication = authentication;
        this.backupState = backupState;
        this.stay = stay;
        this.thisAccessedTime = thisAccessedTime;
        this.importedFromMsm = importedFromMsm;
    }

    /** The id the session has from now on: the one it was read under, unless it moved to another node. */
    public String id() {
        return id;
    }

    /** The stored fields: times, max inactive interval, isNew, auth type. */
    public StoredSession fields() {
        return stored;
    }

    /**
     * When a request last used the session: as stored in sticky mode; in non-sticky mode now at the latest, since a
     * non-sticky session lives as long as memcached holds it (requests that only read it renew its expiration
     * there, not its stored access time).
     */
    public long thisAccessedTime() {
        return thisAccessedTime;
    }

    public Map<String, Object> attributes() {
        return attributes;
    }

    /** Null when the session carried none, or it could not be read (the user logs in again). */
    public Principal principal() {
        return authentication == null ? null : authentication.principal();
    }

    /** The container's notes of a login under way; empty for none. */
    public Map<String, Object> notes() {
        return authentication == null ? Collections.<String, Object>emptyMap() : authentication.notes();
    }

    public BackupState backupState() {
        return backupState;
    }

    /**
     * Whether memcached-session-manager wrote it: nothing in it is authenticated, so its login is only a user name
     * for the realm to confirm, sealed or not, and it must be written in memsession's format.
     */
    public boolean isImportedFromMsm() {
        return importedFromMsm;
    }

    /** Non-sticky mode: the session's stay in this Tomcat, begun by the reading request; none in sticky mode. */
    public Stay stay() {
        return stay;
    }
}
