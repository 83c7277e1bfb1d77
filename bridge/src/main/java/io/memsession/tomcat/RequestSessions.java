package io.memsession.tomcat;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;

/**
 * The sessions one request used (found, created or renamed), collected on the request thread between the valve's
 * start and end of the request, plus, for an asynchronous request, the session it holds when it completes. Tomcat
 * calls {@code findSession} and {@code createSession} without telling which request asks, so the valve opens this
 * record around the request. The record belongs to the Manager of the request's context: Tomcat also asks the
 * Managers of other contexts (whether a session id a client proposes exists on the host), and their sessions are
 * none of this request's.
 */
final class RequestSessions {

    private static final ThreadLocal<RequestSessions> CURRENT = new ThreadLocal<>();

    private final MemcachedSessionManager manager;
    private final boolean ignored;
    private final Request request;
    private final String method;
    private final String uri;
    private final String query;
    private final List<MemcachedSession> used = new ArrayList<>(2);
    private final List<MemcachedSession> checkedOut = new ArrayList<>(1);
    /** Non-sticky: the number of this request's last change to each session it changed. */
    private Map<MemcachedSession, Long> lastChanges;
    /** Ids this request looked for in memcached and did not find, so it does not look twice. */
    private List<String> missing;

    private RequestSessions(MemcachedSessionManager manager, boolean ignored, Request request, String method,
                            String uri, String query) {
        this.manager = manager;
        this.ignored = ignored;
        this.request = request;
        this.method = method;
        this.uri = uri;
        this.query = query;
    }

    /** @param request null for an ignored request */
    static RequestSessions begin(MemcachedSessionManager manager, boolean ignored, Request request, String method,
                                 String uri, String query) {
        RequestSessions sessions = new RequestSessions(manager, ignored, request, method, uri, query);
        CURRENT.set(sessions);
        return sessions;
    }

    /** The record of the request the current thread serves for {@code manager}'s context; null outside one. */
    static RequestSessions current(MemcachedSessionManager manager) {
        RequestSessions current = CURRENT.get();
        return current != null && current.manager == manager ? current : null;
    }

    /** Continues the record of an asynchronous request on the thread of one of its later dispatches. */
    static void resume(RequestSessions sessions) {
        CURRENT.set(sessions);
    }

    static void end() {
        CURRENT.remove();
    }

    /** Notes that the current request uses the session; no-op outside a request of the session's context. */
    static void used(MemcachedSession session) {
        RequestSessions current = CURRENT.get();
        if (current != null && current.manager == session.getManager() && !current.ignored
                && !current.used.contains(session)) {
            current.used.add(session);
        }
    }

    /** Notes a session an asynchronous request used outside the request thread; null and others are ignored. */
    void usedOnAnotherThread(Session session) {
        if (session instanceof MemcachedSession && !ignored && !used.contains(session)) {
            MemcachedSession memcachedSession = (MemcachedSession) session;
            used.add(memcachedSession);
            if (memcachedSession.checkout() != null && !memcachedSession.isCheckedOutByARequest()) {
                checkOut(memcachedSession); // non-sticky: created on the application's thread
            }
        }
    }

    List<MemcachedSession> used() {
        return used;
    }

    boolean isIgnored() {
        return ignored;
    }

    /** The session id the client sent, or the one it was told during the request. */
    String requestedSessionId() {
        return request.getRequestedSessionId();
    }

    /** Gives the request's session a new id, and the client a cookie with it. */
    void changeSessionId(String newId) {
        request.changeSessionId(newId);
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

    /** Non-sticky: the request joined the session's stay in this Tomcat, and leaves it when it ends. */
    void checkOut(MemcachedSession session) {
        checkedOut.add(session);
        session.checkedOutByARequest();
    }

    /** Non-sticky: the session with this id if this request has joined its stay, else null. */
    MemcachedSession checkedOut(String id) {
        for (MemcachedSession session : checkedOut) {
            if (id.equals(session.getIdInternal())) {
                return session;
            }
        }
        return null;
    }

    /** Notes the number of a change the current request made to the session; no-op outside a request. */
    static void changed(MemcachedSession session, long change) {
        RequestSessions current = CURRENT.get();
        if (current != null && current.manager == session.getManager()) {
            if (current.lastChanges == null) {
                current.lastChanges = new IdentityHashMap<>(2);
            }
            current.lastChanges.put(session, change);
        }
    }

    /** The number of this request's last change to the session; 0 for none. */
    long lastChange(MemcachedSession session) {
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

    /** Non-sticky: the sessions whose stay this request joined. */
    List<MemcachedSession> checkedOut() {
        return checkedOut;
    }
}
