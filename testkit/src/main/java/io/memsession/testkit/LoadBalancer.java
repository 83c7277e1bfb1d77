package io.memsession.testkit;

import java.util.List;

/**
 * A real load balancer in front of Tomcats on 127.0.0.1, a process started and stopped by its own handle:
 * {@link HaproxyProcess} (round robin with health checks, for non-sticky mode) or {@link HttpdBalancer} (Apache
 * httpd's mod_proxy_balancer, sticky by the session id's route).
 */
public interface LoadBalancer extends AutoCloseable {

    /** One Tomcat behind the balancer: its name, which is also its jvmRoute, and its HTTP port on 127.0.0.1. */
    record Backend(String route, int port) {
    }

    /** The port clients send their requests to. */
    int port();

    List<Backend> backends();

    /** Stops the balancer (SIGTERM, then SIGKILL) and deletes its configuration directory. */
    @Override
    void close();
}
