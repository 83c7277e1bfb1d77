package io.memsession.tomcat;

import javax.servlet.http.HttpServletRequest;

import org.apache.catalina.Context;
import org.apache.tomcat.util.descriptor.web.LoginConfig;
import org.apache.tomcat.util.descriptor.web.SecurityCollection;
import org.apache.tomcat.util.descriptor.web.SecurityConstraint;

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

    /** The application's own way to rotate the id since Servlet 3.1. */
    static void changeSessionId(HttpServletRequest request) {
        request.changeSessionId();
    }
}
