package io.memsession.tomcat;

import java.util.Set;

import javax.servlet.ServletContainerInitializer;
import javax.servlet.ServletContext;
import javax.servlet.ServletException;

/**
 * Stops each web application's start while memcached-session-manager's jars are in Tomcat's {@code lib/} next to
 * memsession's ({@link MsmJars}). Tomcat runs the initializers of {@code lib/}'s jars before it starts a context's
 * Manager, so the check runs whichever of the two jars Tomcat took the Manager class from; the Manager checks again at
 * its start, for an embedded Tomcat that runs no initializers.
 */
public final class MsmJarsCheck implements ServletContainerInitializer {

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        String leftOver = MsmJars.leftOver();
        if (leftOver != null) {
            throw new ServletException(leftOver);
        }
    }
}
