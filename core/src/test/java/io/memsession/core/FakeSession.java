package io.memsession.core;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/** A container session reduced to what the backup and the engine see. */
public final class FakeSession implements EngineSession {

    public volatile String id;
    public final Map<String, Object> attributes = new TreeMap<>();
    final BackupState state;
    volatile long lastUsed = System.currentTimeMillis();
    volatile int maxInactive = 1800;
    volatile boolean live = true;
    private volatile Stay stay;
    /** The backup told of a rename by {@link #relocate}, as the Tomcat bridge tells it; null for none. */
    volatile SessionBackup renamedBy;

    public FakeSession(String id, BackupState state) {
        this.id = id;
        this.state = state;
    }

    /** The session as a container restores it from what the engine read. */
    public static FakeSession from(LoadedSession loaded) {
        FakeSession session = new FakeSession(loaded.id(), loaded.backupState());
        session.attributes.putAll(loaded.attributes());
        session.stay = loaded.stay();
        session.lastUsed = loaded.thisAccessedTime();
        session.maxInactive = loaded.fields().maxInactiveInterval();
        return session;
    }

    /** @return the number of the change, for the request's visit */
    public synchronized long set(String name, Object value) {
        attributes.put(name, value);
        return state.attributesAccessed();
    }

    public synchronized Object get(String name) {
        return attributes.get(name);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public BackupState backupState() {
        return state;
    }

    @Override
    public boolean isLive() {
        return live;
    }

    @Override
    public boolean isValid() {
        return live;
    }

    @Override
    public long lastUsedMillis() {
        return lastUsed;
    }

    @Override
    public int maxInactiveSeconds() {
        return maxInactive;
    }

    @Override
    public synchronized SessionSnapshot snapshot() {
        return new SessionSnapshot(1L, lastUsed, lastUsed, maxInactive, false, null, null,
                new TreeMap<>(attributes), Collections.<String, Object>emptyMap());
    }

    @Override
    public Stay stay() {
        return stay;
    }

    @Override
    public void beginStay(Stay newStay) {
        this.stay = newStay;
    }

    @Override
    public synchronized boolean relocate(String fromId, String newId) {
        if (!fromId.equals(id)) {
            return false;
        }
        id = newId;
        if (renamedBy != null) {
            renamedBy.sessionRenamed(this, fromId);
        }
        return true;
    }
}
