package io.memsession.testkit;

import java.nio.file.Path;
import java.util.List;

/**
 * HAProxy (Debian package {@code haproxy}) on a free loopback port: HTTP round robin over the backends, each checked
 * every 500 ms with a GET of the health path, taken out after two failed checks and back after one good one. A
 * request whose connection to a Tomcat fails is sent to another (redispatch); one that reached a Tomcat is never
 * sent twice. Started in the foreground ({@code -db}) with its configuration in a temporary directory.
 */
public final class HaproxyProcess implements LoadBalancer {

    private static final String NOT_INSTALLED = "haproxy is not installed: install the Debian package 'haproxy'"
            + " (apt-get install haproxy) or set HAPROXY_BIN";

    private final BalancerProcess process;
    private final List<Backend> backends;

    private HaproxyProcess(BalancerProcess process, List<Backend> backends) {
        this.process = process;
        this.backends = backends;
    }

    /** @param healthPath what the health check asks each backend for, e.g. "/health.txt"; a 2xx or 3xx is healthy */
    public static HaproxyProcess start(List<Backend> backends, String healthPath) {
        Path binary = Executables.locate("HAPROXY_BIN", "haproxy", NOT_INSTALLED);
        int port = FreePorts.find();
        Path directory = TemporaryDirectories.create("memsession-haproxy-");
        List<String> command = List.of(binary.toString(), "-db", "-f", directory.resolve("haproxy.cfg").toString());
        return new HaproxyProcess(BalancerProcess.start("haproxy", directory, "haproxy.cfg",
                configuration(port, backends, healthPath), command, port), List.copyOf(backends));
    }

    /** Throws {@link IllegalStateException} explaining how to install HAProxy if it cannot be found. */
    public static void requireInstalled() {
        Executables.locate("HAPROXY_BIN", "haproxy", NOT_INSTALLED);
    }

    private static String configuration(int port, List<Backend> backends, String healthPath) {
        StringBuilder servers = new StringBuilder();
        for (Backend backend : backends) {
            servers.append("    server ").append(backend.route()).append(' ').append(Loopback.HOST).append(':')
                    .append(backend.port()).append(" check\n");
        }
        return "global\n"
                + "    maxconn 2000\n"
                + "defaults\n"
                + "    mode http\n"
                + "    timeout connect 1s\n"
                + "    timeout client 60s\n"
                // a paused Tomcat's requests fail after this; its health checks take it out much sooner
                + "    timeout server 15s\n"
                + "    timeout check 1s\n"
                + "    retries 2\n"
                + "    option redispatch\n"
                + "frontend web\n"
                + "    bind " + Loopback.HOST + ":" + port + "\n"
                + "    default_backend tomcats\n"
                + "backend tomcats\n"
                + "    balance roundrobin\n"
                + "    option httpchk GET " + healthPath + "\n"
                + "    default-server inter 500 fall 2 rise 1\n"
                + servers;
    }

    @Override
    public int port() {
        return process.port();
    }

    @Override
    public List<Backend> backends() {
        return backends;
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return process.toString();
    }
}
