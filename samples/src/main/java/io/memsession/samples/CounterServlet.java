package io.memsession.samples;

import java.io.IOException;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.servlet.http.HttpSession;

/**
 * The sample application: every GET increments an {@code Integer} counter in the session, which also keeps a
 * string, 2 KB unless told otherwise (a stand-in for what real applications keep: a user profile, a cart). The
 * answer is one line:
 * {@code session=<id> counter=<n> tomcat=<jvmRoute>}.
 */
public class CounterServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    public static final int DEFAULT_PROFILE_BYTES = 2048;

    private final String jvmRoute;
    private final String profile;

    CounterServlet(String jvmRoute, int profileBytes) {
        this.jvmRoute = jvmRoute;
        this.profile = "x".repeat(profileBytes);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        HttpSession session = request.getSession(true);
        int next;
        synchronized (session) { // parallel requests of one session share it, on any Tomcat
            Integer counter = (Integer) session.getAttribute("counter");
            next = counter == null ? 1 : counter + 1;
            session.setAttribute("counter", next);
        }
        if (session.getAttribute("profile") == null) {
            session.setAttribute("profile", profile);
        }
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().print("session=" + session.getId() + " counter=" + next + " tomcat=" + jvmRoute + "\n");
    }
}
