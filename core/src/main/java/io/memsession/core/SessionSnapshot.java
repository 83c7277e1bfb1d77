package io.memsession.core;

import java.security.Principal;
import java.util.Map;

/** A session's fields at the moment of a write. */
public final class SessionSnapshot {

    final long creationTime;
    final long lastAccessedTime;
    final long thisAccessedTime;
    final int maxInactiveInterval;
    final boolean isNew;
    final String authType;
    final Principal principal;
    final Map<String, Object> attributes;
    final Map<String, Object> notes;

    /**
     * @param attributes the stored attributes, in a map with a stable iteration order (so that unchanged
     *        attributes serialize to unchanged bytes)
     * @param notes the container's notes that are stored (a login in progress); empty for none
     */
    public SessionSnapshot(long creationTime, long lastAccessedTime, long thisAccessedTime,
                           int maxInactiveInterval, boolean isNew, String authType, Principal principal,
                           Map<String, Object> attributes, Map<String, Object> notes) {
        this.creationTime = creationTime;
        this.lastAccessedTime = lastAccessedTime;
        this.thisAccessedTime = thisAccessedTime;
        this.maxInactiveInterval = maxInactiveInterval;
        this.isNew = isNew;
        this.authType = authType;
        this.principal = principal;
        this.attributes = attributes;
        this.notes = notes;
    }

    long thisAccessedTime() {
        return thisAccessedTime;
    }

    int maxInactiveInterval() {
        return maxInactiveInterval;
    }
}
