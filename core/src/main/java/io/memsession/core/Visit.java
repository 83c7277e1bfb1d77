package io.memsession.core;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What one request does with the sessions of one web application, from its arrival to its end: the sessions it
 * used (found, created or renamed), the stays it joined, the ids it looked for in memcached and did not find. The
 * bridge opens one per request and hands it to the engine at each moment of the request.
 *
 * @param <S> the container's session
 */
public final class Visit<S extends EngineSession> {

    private final boolean ignored;
    private final String method;
    private final String uri;
    private final String query;
    private final Supplier<String> requestedSessionId;
    private final Consumer<String> idChange;
    private final List<S> used = new ArrayList<>(2);
    private final List<S> stays = new ArrayList<>(1);
    /** Non-sticky: the number of this request's last change to each session it changed. */
    private Map<S, Long> lastChanges;
    /** Ids this request looked for in memcached and did not find, so it does not look twice. */
    private List<String> missing;

    private Visit(boolean ignored, String method, String uri, String query, Supplier<String> requestedSessionId,
                  Consumer<String> idChange) {
        this.ignored = ignored;
        this.method = method;
        this.uri = uri;
        this.query = query;
        this.requestedSessionId = requestedSessionId;
        this.idChange = idChange;
    }

    /**
     * @param requestedSessionId the session id the client sent, or the one it was told during the request
     * @param idChange gives the request's session a new id, and the client a cookie with it
     */
    public static <S extends EngineSession> Visit<S> of(String method, String uri, String query,
                                                        Supplier<String> requestedSessionId,
                                                        Consumer<String> idChange) {
        return new Visit<>(false, method, uri, query, requestedSessionId, idChange);
    }

    /** A request that leaves the session store alone ({@code requestUriIgnorePattern}). */
    public static <S extends EngineSession> Visit<S> ignored() {
        return new Visit<>(true, null, null, null, () -> null, newId -> { });
    }

    boolean isIgnored() {
        return ignored;
    }

    /** Notes that the request uses the session (an ignored one uses none). @return whether it was not noted yet */
    boolean used(S session) {
        if (ignored || used.contains(session)) {
            return false;
        }
        used.add(session);
        return true;
    }

    /** Notes the number of a change the request made to the session. */
    public void changed(S session, long change) {
        if (lastChanges == null) {
            lastChanges = new IdentityHashMap<>(2);
        }
        lastChanges.put(session, change);
    }

    List<S> used() {
        return used;
    }

    String method() {
        return method;
    }

    String uri() {
        return uri;
    }

    String query() {
        return query;
    }

    /** The session id the client sent, or the one it was told during the request; null for none. */
    String requestedSessionId() {
        return requestedSessionId.get();
    }

    void changeSessionId(String newId) {
        idChange.accept(newId);
    }

    /** Non-sticky: the request joined the session's stay in this container, and leaves it when it ends. */
    void joined(S session) {
        stays.add(session);
        session.stay().joinedByARequest();
    }

    /** Non-sticky: the session with this id if this request has joined its stay, else null. */
    S joinedStay(String id) {
        for (S session : stays) {
            if (id.equals(session.id())) {
                return session;
            }
        }
        return null;
    }

    /** Non-sticky: the sessions whose stay this request joined. */
    List<S> stays() {
        return stays;
    }

    /** The number of this request's last change to the session; 0 for none. */
    long lastChange(S session) {
        Long change = lastChanges == null ? null : lastChanges.get(session);
        return change == null ? 0 : change;
    }

    void missing(String id) {
        if (missing == null) {
            missing = new ArrayList<>(1);
        }
        missing.add(id);
    }

    boolean isMissing(String id) {
        return missing != null && missing.contains(id);
    }
}
