package io.memsession.tomcat;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.servlet.AsyncContext;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;
import javax.servlet.http.HttpSessionActivationListener;
import javax.servlet.http.HttpSessionEvent;
import javax.servlet.http.HttpSessionListener;

import org.apache.commons.collections.functors.InvokerTransformer;

/**
 * The web application the scenarios drive. Each path does one thing to the session and the response lists the
 * session id and its attributes as {@code name=value} lines, so tests read what a user would see. Paths are relative
 * to the context path.
 *
 * <ul>
 *   <li>{@code /} and {@code /count}: increments the Integer attribute {@code counter}</li>
 *   <li>{@code /slow?millis=N}: waits N ms, then increments the counter</li>
 *   <li>{@code /read}: shows the session without changing it</li>
 *   <li>{@code /set?name=value&...}: sets String attributes</li>
 *   <li>{@code /setUnserializable?name=a}: sets attribute {@code a} to a {@link Unserializable}</li>
 *   <li>{@code /setBytes?name=a&size=N}: sets attribute {@code a} to a byte array of N bytes, and increments the
 *       counter</li>
 *   <li>{@code /remove?name=a}: removes attribute {@code a}</li>
 *   <li>{@code /answerFirst?color=c[&millis=N]}: answers with the session id, its length declared, flushes, waits
 *       N ms, then sets attribute {@code color}, as an application that answers before it is done</li>
 *   <li>{@code /invalidate}, {@code /changeId[?millis=N]} (waits N ms first), {@code /noSession} (does not touch the session),
 *       {@code /info} (requested id and whether it is valid), {@code /listener} (adds an activation listener),
 *       {@code /async} (increments the counter in an async request), {@code /asyncDispatch} (an async request
 *       dispatched to {@code /count}), {@code /protected/*} and {@code /admin/*} (behind login),
 *       {@code /login.html} and {@code /error.html} (FORM login pages), {@code *.gif} (a static-looking resource
 *       that reads the session), {@code /held} (increments the counter once the test lets it go: {@link #HELD})</li>
 * </ul>
 */
public class TestServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** "activated:<id>" for every sessionDidActivate seen by a {@link ActivationRecorder} in this JVM. */
    static final List<String> ACTIVATIONS = new CopyOnWriteArrayList<>();
    /** Requests in this JVM that are waiting in {@code /slow} or {@code /changeId} now: a test acts meanwhile. */
    static final AtomicInteger PAUSING = new AtomicInteger();
    /** What {@code /held} waits for (at most 30 s): a test sees it wait ({@code hasQueuedThreads}) and releases it. */
    static final Semaphore HELD = new Semaphore(0);

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath();
        response.setContentType("text/plain;charset=UTF-8");
        if (path.endsWith(".gif")) {
            HttpSession session = request.getSession(false);
            response.getWriter().println("gif session=" + (session == null ? "none" : session.getId()));
            return;
        }
        switch (path) {
            case "/noSession":
                response.getWriter().println("no session used");
                return;
            case "/info":
                response.getWriter().println("requestedSessionId=" + request.getRequestedSessionId());
                response.getWriter().println("requestedSessionIdValid=" + request.isRequestedSessionIdValid());
                return;
            case "/login.html":
                response.setContentType("text/html;charset=UTF-8");
                response.getWriter().println("<form method='POST' action='j_security_check'>"
                        + "<input name='j_username'><input name='j_password'></form>");
                return;
            case "/error.html":
                response.getWriter().println("login failed");
                return;
            case "/answerFirst": // as Spring MVC's @ResponseBody does: the whole answer, its length, flushed
                HttpSession answered = request.getSession(true);
                byte[] body = ("id=" + answered.getId() + "\n").getBytes(StandardCharsets.UTF_8);
                response.setContentLength(body.length);
                response.getOutputStream().write(body);
                response.flushBuffer();
                pause(request); // the client may have its answer now
                answered.setAttribute("color", request.getParameter("color"));
                return;
            case "/asyncDispatch":
                request.startAsync().dispatch("/count"); // the counter is incremented on the dispatch
                return;
            case "/async":
                AsyncContext async = request.startAsync();
                async.start(() -> {
                    HttpSession asyncSession = ((HttpServletRequest) async.getRequest()).getSession(true);
                    increment(asyncSession);
                    try {
                        print(asyncSession, async.getResponse().getWriter());
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    async.complete();
                });
                return;
            default:
                break;
        }
        HttpSession session = request.getSession(true);
        switch (path) {
            case "/read":
                break;
            case "/set":
                for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
                    session.setAttribute(parameter.getKey(), parameter.getValue()[0]);
                }
                break;
            case "/setBytes":
                session.setAttribute(request.getParameter("name"),
                        new byte[Integer.parseInt(request.getParameter("size"))]);
                increment(session);
                break;
            case "/setUnserializable":
                session.setAttribute(request.getParameter("name"), new Unserializable());
                break;
            case "/remove":
                session.removeAttribute(request.getParameter("name"));
                break;
            case "/slow":
                pause(request);
                increment(session);
                break;
            case "/held":
                hold();
                increment(session);
                break;
            case "/invalidate":
                session.invalidate();
                response.getWriter().println("invalidated");
                return;
            case "/changeId":
                pause(request);
                TomcatLine.changeSessionId(request);
                break;
            case "/listener":
                session.setAttribute("listener", new ActivationRecorder());
                break;
            case "/plantGadget": // what an attacker writes into memcached: a class whose readObject runs code
                session.setAttribute("planted", new InvokerTransformer("calc"));
                break;
            default:
                if (!path.startsWith("/protected") && !path.startsWith("/admin")) {
                    increment(session);
                }
        }
        if (request.getUserPrincipal() != null) {
            response.getWriter().println("user=" + request.getUserPrincipal().getName());
        }
        print(session, response.getWriter());
    }

    private static void hold() {
        try {
            HELD.tryAcquire(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sleeps for the request's {@code millis} parameter, if it has one. */
    private static void pause(HttpServletRequest request) {
        String millis = request.getParameter("millis");
        if (millis == null) {
            return;
        }
        PAUSING.incrementAndGet();
        try {
            Thread.sleep(Long.parseLong(millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            PAUSING.decrementAndGet();
        }
    }

    /** Parallel requests on one Tomcat share the session object, as in any Tomcat: the increment is atomic. */
    private static void increment(HttpSession session) {
        synchronized (session) {
            Integer counter = (Integer) session.getAttribute("counter");
            session.setAttribute("counter", counter == null ? 1 : counter + 1);
        }
    }

    private static void print(HttpSession session, PrintWriter out) {
        out.println("id=" + session.getId());
        Map<String, Object> attributes = new TreeMap<>();
        for (String name : Collections.list(session.getAttributeNames())) {
            attributes.put(name, session.getAttribute(name));
        }
        attributes.forEach((name, value) -> out.println(name + "=" + value));
    }

    /** An attribute value Java serialization refuses. */
    static final class Unserializable {
        @Override
        public String toString() {
            return "unserializable";
        }
    }

    /** "created:<id>" and "destroyed:<id>" for every event a {@link LifecycleRecorder} in this JVM sees. */
    static final List<String> LIFECYCLE = new CopyOnWriteArrayList<>();

    /** A session listener, registered on a context by the tests that count session lifecycle events. */
    public static final class LifecycleRecorder implements HttpSessionListener {
        @Override
        public void sessionCreated(HttpSessionEvent event) {
            LIFECYCLE.add("created:" + event.getSession().getId());
        }

        @Override
        public void sessionDestroyed(HttpSessionEvent event) {
            LIFECYCLE.add("destroyed:" + event.getSession().getId());
        }
    }

    /** Records activations, so tests see what listeners are told after a failover. */
    static final class ActivationRecorder implements HttpSessionActivationListener, java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public void sessionDidActivate(HttpSessionEvent event) {
            ACTIVATIONS.add("activated:" + event.getSession().getId());
        }

        @Override
        public void sessionWillPassivate(HttpSessionEvent event) {
        }

        @Override
        public String toString() {
            return "recorder";
        }
    }
}
