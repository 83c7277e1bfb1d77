package io.memsession.core.backup;

import java.util.Map;
import java.util.TreeMap;

/** A container session reduced to what the backup sees. */
final class FakeSession implements BackedUpSession {

    volatile String id;
    final Map<String, Object> attributes = new TreeMap<>();
    final BackupState state;
    volatile long lastUsed = System.currentTimeMillis();
    volatile int maxInactive = 1800;
    volatile boolean live = true;
    /** The backup told of a rename by {@link #relocate}, as the Tomcat bridge tells it; null for none. */
    volatile SessionBackup renamedBy;

    FakeSession(String id, BackupState state) {
        this.id = id;
        this.state = state;
    }

    synchronized void set(String name, Object value) {
        attributes.put(name, value);
        state.attributesAccessed();
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
                new TreeMap<>(attributes), java.util.Collections.<String, Object>emptyMap());
    }

    @Override
    public void relocate(String newId) {
        String oldId = id;
        id = newId;
        if (renamedBy != null) {
            renamedBy.sessionRenamed(this, oldId);
        }
    }
}
