package io.memsession.tomcat;

import java.util.ArrayList;
import java.util.List;

import org.apache.catalina.Session;

/**
 * The sessions one request used (found, created or renamed), collected on the request thread between the valve's
 * start and end of the request, plus, for an asynchronous request, the session it holds when it completes. Tomcat
 * calls {@code findSession} and {@code createSession} without telling which request asks, so the valve opens this
 * record around the request.
 */
final class RequestSessions {

    private static final ThreadLocal<RequestSessions> CURRENT = new ThreadLocal<>();

    private final boolean ignored;
    private final List<MemcachedSession> used = new ArrayList<>(2);

    private RequestSessions(boolean ignored) {
        this.ignored = ignored;
    }

    static RequestSessions begin(boolean ignored) {
        RequestSessions sessions = new RequestSessions(ignored);
        CURRENT.set(sessions);
        return sessions;
    }

    /** Continues the record of an asynchronous request on the thread of one of its later dispatches. */
    static void resume(RequestSessions sessions) {
        CURRENT.set(sessions);
    }

    static void end() {
        CURRENT.remove();
    }

    /** Whether the current thread serves a request matching {@code requestUriIgnorePattern}. */
    static boolean currentIsIgnored() {
        RequestSessions current = CURRENT.get();
        return current != null && current.ignored;
    }

    /** Notes that the current request uses the session; no-op outside a request. */
    static void used(MemcachedSession session) {
        RequestSessions current = CURRENT.get();
        if (current != null && !current.ignored && !current.used.contains(session)) {
            current.used.add(session);
        }
    }

    /** Notes a session an asynchronous request used outside the request thread; null and others are ignored. */
    void usedOnAnotherThread(Session session) {
        if (session instanceof MemcachedSession && !ignored && !used.contains(session)) {
            used.add((MemcachedSession) session);
        }
    }

    List<MemcachedSession> used() {
        return used;
    }
}
