package io.memsession.tomcat;

import java.lang.reflect.Field;
import java.util.Arrays;

import javax.servlet.http.HttpServletRequest;

import org.apache.catalina.Context;
import org.apache.catalina.Session;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.RequestFacade;
import org.apache.catalina.deploy.LoginConfig;
import org.apache.catalina.deploy.SecurityCollection;
import org.apache.catalina.deploy.SecurityConstraint;
import org.apache.catalina.realm.GenericPrincipal;

import io.memsession.testkit.MsmSessions;

/** What the scenario suite does differently on each Tomcat line, as Tomcat 7 needs it. */
final class TomcatLine {

    private TomcatLine() {
    }

    static void mapServlet(Context context, String pattern, String servletName) {
        context.addServletMapping(pattern, servletName);
    }

    /** Login pages {@code /login.html} and {@code /error.html}, as in the web.xml of a FORM login application. */
    static void requireLogin(Context context, String authMethod, String urlPattern, String role) {
        context.setLoginConfig(new LoginConfig(authMethod, "test", "/login.html", "/error.html"));
        context.addSecurityRole(role);
        SecurityConstraint constraint = new SecurityConstraint();
        constraint.addAuthRole(role);
        SecurityCollection collection = new SecurityCollection();
        collection.addPattern(urlPattern);
        constraint.addCollection(collection);
        context.addConstraint(constraint);
    }

    /**
     * Servlet 3.0 has no {@code changeSessionId()}: on Tomcat 7 the id rotates the way its authenticators rotate it
     * on login ({@code changeSessionIdOnAuthentication}), by the Manager and then the request's cookie.
     */
    static void changeSessionId(HttpServletRequest request) {
        Request connectorRequest = connectorRequest(request);
        Session session = connectorRequest.getSessionInternal(false);
        connectorRequest.getContext().getManager().changeSessionId(session);
        connectorRequest.changeSessionId(session.getId());
    }

    /** A realm's principal, as a realm makes it. */
    static GenericPrincipal principal(String name, String... roles) {
        return new GenericPrincipal(name, null, Arrays.asList(roles));
    }

    /**
     * A login as memcached-session-manager's jar for Tomcat 7 stored it: Tomcat's cluster principal, with the realm's
     * password.
     */
    static byte[] msmLogin(String name, String... roles) {
        return MsmSessions.tomcat7Principal(name, EmbeddedTomcat.PASSWORD, Arrays.asList(roles), null);
    }

    private static Request connectorRequest(HttpServletRequest request) {
        try {
            Field wrapped = RequestFacade.class.getDeclaredField("request");
            wrapped.setAccessible(true);
            return (Request) wrapped.get(request);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("not Tomcat 7's request facade: " + request.getClass(), e);
        }
    }
}
