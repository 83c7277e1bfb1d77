package io.memsession.tomcat;

import java.io.IOException;

import javax.servlet.AsyncEvent;
import javax.servlet.AsyncListener;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletResponse;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import io.memsession.core.SessionEngine;

/**
 * The way of a request through memsession, in one place. Installed in the Host's pipeline, ahead of the context's
 * authenticator, so that a session arriving from another Tomcat is renamed before anyone looks at it, and a login
 * answered by the authenticator itself is still backed up.
 */
final class SessionTrackingValve extends ValveBase {

    /** Request note holding an asynchronous request's {@link RequestSessions} across its dispatches. */
    private static final String ASYNC_REQUEST_SESSIONS = "io.memsession.asyncRequestSessions";
    /** RFC 4918: the server cannot store what the request needs; the servlet API names no constant for it. */
    private static final int INSUFFICIENT_STORAGE = 507;

    private final MemcachedSessionManager manager;

    SessionTrackingValve(MemcachedSessionManager manager) {
        super(true);
        this.manager = manager;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (request.getContext() != manager.getContext() || !manager.isStoring()) {
            getNext().invoke(request, response);
            return;
        }
        if (manager.isIgnored(request.getRequestURI())) {
            RequestSessions.beginIgnored(manager);
            try {
                getNext().invoke(request, response); // no store traffic at all
            } finally {
                RequestSessions.end();
            }
            return;
        }

        RequestSessions dispatched = (RequestSessions) request.getNote(ASYNC_REQUEST_SESSIONS);
        if (dispatched != null) {
            // an asynchronous request dispatched again: its first pass finishes it when it completes
            RequestSessions.resume(dispatched);
            try {
                getNext().invoke(request, response);
            } finally {
                RequestSessions.end();
            }
            return;
        }

        RequestSessions sessions = RequestSessions.begin(manager, request);
        String requestedId = manager.requestedId(request);
        try {
            if (requestedId != null) {
                manager.sessionArriving(sessions, requestedId);
            }
            getNext().invoke(request, response);
        } finally {
            RequestSessions.end();
            if (request.isAsync()) {
                request.setNote(ASYNC_REQUEST_SESSIONS, sessions);
                request.getAsyncContext().addListener(new FinishWhenComplete(request, sessions,
                        requestedId != null));
            } else {
                SessionEngine.Changes changes = manager.requestFinished(sessions, requestedId != null);
                if (changes != SessionEngine.Changes.ACCEPTED) {
                    refuse(response, changes);
                }
            }
        }
    }

    /**
     * Non-sticky: the request changed its session, and the change was refused. Unless the application has sent its
     * response already, the client is told (never with 503: a load balancer may resend a 503 on its own, and the
     * request's other effects have happened): 409 Conflict when it would have overwritten another request's
     * change; 507 Insufficient Storage when the session grew larger than memcached may hold (maxSessionSize).
     */
    private static void refuse(Response response, SessionEngine.Changes why) throws IOException {
        if (response.isCommitted()) {
            return; // too late to tell; the refusal is counted and logged
        }
        response.reset();
        response.setContentType("text/plain;charset=UTF-8");
        if (why == SessionEngine.Changes.OVERSIZED) {
            response.setStatus(INSUFFICIENT_STORAGE);
            response.getWriter().println("This request's changes to the session were not saved: the session "
                    + "would be too large to store.");
        } else {
            response.setStatus(HttpServletResponse.SC_CONFLICT);
            response.getWriter().println("This request's changes to the session were not saved: a parallel "
                    + "request changed the session first. Reload and try again.");
        }
    }

    /** An asynchronous request ends when its async context completes, not when the container thread returns. */
    private final class FinishWhenComplete implements AsyncListener {
        private final Request request;
        private final RequestSessions sessions;
        private final boolean hadSessionId;

        FinishWhenComplete(Request request, RequestSessions sessions, boolean hadSessionId) {
            this.request = request;
            this.sessions = sessions;
            this.hadSessionId = hadSessionId;
        }

        @Override
        public void onComplete(AsyncEvent event) {
            // The application may have created or found its session on a thread of its own, unseen by the record.
            manager.usedOnAnotherThread(sessions, request.getSessionInternal(false));
            manager.requestFinished(sessions, hadSessionId);
        }

        @Override
        public void onTimeout(AsyncEvent event) {
        }

        @Override
        public void onError(AsyncEvent event) {
        }

        /** A new asynchronous cycle (after a dispatch) drops the listeners; this one stays until completion. */
        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
