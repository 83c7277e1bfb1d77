package io.memsession.core;

/** A container session as the backup sees it; the Tomcat bridge's session implements it. */
public interface BackedUpSession {

    /** The session id as the client sees it. */
    String id();

    BackupState backupState();

    /** False once the session was invalidated or began to expire. Must have no side effects. */
    boolean isLive();

    /** When a request last used the session (epoch ms): the start of its idle time. */
    long lastUsedMillis();

    /** Seconds of idleness after which the session expires; zero or less for never. */
    int maxInactiveSeconds();

    /**
     * The session's current fields and stored attributes (those passing {@code sessionAttributeFilter}), taken
     * just before a write.
     */
    SessionSnapshot snapshot();

    /**
     * Sticky mode: the session's node is down and it moves to another, under {@code newId} (its id with another node
     * part), unless its id is no longer {@code fromId}: a request, the node watcher and a writer thread may each
     * find it on the lost node at once, and only the first moves it. The container renames it as for a memcached
     * failover on arrival: the rename reaches {@link SessionBackup#sessionRenamed}, and the client learns the new id
     * with its next response. No other change of the session's id runs meanwhile.
     *
     * @return whether this call moved it (false: its id had changed already)
     */
    boolean relocate(String fromId, String newId);
}
