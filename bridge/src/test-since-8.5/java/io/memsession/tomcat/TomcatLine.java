package io.memsession.tomcat;

import java.util.Arrays;
import java.util.List;

import javax.servlet.http.HttpServletRequest;

import org.apache.catalina.Context;
import org.apache.catalina.realm.GenericPrincipal;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;

import io.memsession.testkit.MsmSessions;

/** What the scenario suite does differently on each Tomcat line, as Tomcat 8.5 and later need it. */
final class TomcatLine {

    private TomcatLine() {
    }

    static void mapServlet(Context context, String pattern, String servletName) {
        context.addServletMappingDecoded(pattern, servletName);
    }

    /** Login pages {@code /login.html} and {@code /error.html}, as in the web.xml of a FORM login application. */
    static void requireLogin(Context context, String authMethod, String urlPattern, String role) {
        context.setLoginConfig(new LoginConfig(authMethod, "test", "/login.html", "/error.html"));
        context.addSecurityRole(role);
        SecurityConstraint constraint = new SecurityConstraint();
        constraint.addAuthRole(role);
        SecurityCollection collection = new SecurityCollection();
        collection.addPatternDecoded(urlPattern);
        constraint.addCollection(collection);
        context.addConstraint(constraint);
    }

    /**
     * A realm's principal, as a realm makes it: with a password on 8.5 and 9 (none here), without one since 10.1,
     * whose constructor has none.
     */
    static GenericPrincipal principal(String name, String... roles) {
        try {
            try {
                return GenericPrincipal.class.getConstructor(String.class, List.class)
                        .newInstance(name, Arrays.asList(roles));
            } catch (NoSuchMethodException beforeTomcat10) {
                return GenericPrincipal.class.getConstructor(String.class, String.class, List.class)
                        .newInstance(name, null, Arrays.asList(roles));
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A login as memcached-session-manager's jars for Tomcat 8.5 and 9 stored it: the realm's principal,
     * Java-serialized.
     */
    static byte[] msmLogin(String name, String... roles) {
        return MsmSessions.javaSerialized(principal(name, roles));
    }

    /** The application's own way to rotate the id since Servlet 3.1. */
    static void changeSessionId(HttpServletRequest request) {
        request.changeSessionId();
    }
}
