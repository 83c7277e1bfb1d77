package io.memsession.tomcat;

import org.apache.catalina.connector.Request;

import io.memsession.core.Visit;

/**
 * The {@link Visit} of the request the current thread serves: Tomcat calls {@code findSession} and
 * {@code createSession} without telling which request asks, so the valve opens this record around the request (and,
 * for an asynchronous request, keeps it until its async context completes). The record belongs to the Manager of
 * the request's context: Tomcat also asks the Managers of other contexts (whether a session id a client proposes
 * exists on the host), and their sessions are none of this request's.
 */
final class RequestSessions {

    private static final ThreadLocal<RequestSessions> CURRENT = new ThreadLocal<>();

    private final MemcachedSessionManager manager;
    private final Visit<MemcachedSession> visit;

    private RequestSessions(MemcachedSessionManager manager, Visit<MemcachedSession> visit) {
        this.manager = manager;
        this.visit = visit;
    }

    static RequestSessions begin(MemcachedSessionManager manager, Request request) {
        return begin(manager, Visit.of(request.getMethod(), request.getRequestURI(), request.getQueryString(),
                request::getRequestedSessionId, request::changeSessionId));
    }

    /** A request that leaves the session store alone ({@code requestUriIgnorePattern}). */
    static RequestSessions beginIgnored(MemcachedSessionManager manager) {
        return begin(manager, Visit.<MemcachedSession>ignored());
    }

    private static RequestSessions begin(MemcachedSessionManager manager, Visit<MemcachedSession> visit) {
        RequestSessions sessions = new RequestSessions(manager, visit);
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

    /** Notes the number of a change the current request made to the session; no-op outside a request. */
    static void changed(MemcachedSession session, long change) {
        RequestSessions current = CURRENT.get();
        if (current != null && current.manager == session.getManager()) {
            current.visit.changed(session, change);
        }
    }

    Visit<MemcachedSession> visit() {
        return visit;
    }
}
