package io.memsession.core;

import java.security.Principal;
import java.util.Map;

import io.memsession.core.backup.BackupState;
import io.memsession.core.format.StoredSession;

/** A session read from memcached, ready for the bridge to turn into a container session. */
public final class LoadedSession {

    private final StoredSession stored;
    private final Map<String, Object> attributes;
    private final Principal principal;
    private final BackupState backupState;

    LoadedSession(StoredSession stored, Map<String, Object> attributes, Principal principal,
                  BackupState backupState) {
        this.stored = stored;
        this.attributes = attributes;
        this.principal = principal;
        this.backupState = backupState;
    }

    /** The stored fields: times, max inactive interval, isNew, auth type. */
    public StoredSession fields() {
        return stored;
    }

    public Map<String, Object> attributes() {
        return attributes;
    }

    /** Null when the session carried none, or it could not be read (the user logs in again). */
    public Principal principal() {
        return principal;
    }

    public BackupState backupState() {
        return backupState;
    }
}
