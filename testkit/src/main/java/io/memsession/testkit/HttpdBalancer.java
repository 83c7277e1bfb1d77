package io.memsession.testkit;

import com.sun.security.auth.module.UnixSystem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Apache httpd (Debian package {@code apache2-bin}) with mod_proxy_balancer on a free loopback port, sticky as
 * operators set it up for Tomcat: {@code stickysession=JSESSIONID|jsessionid}, one {@code route=} per jvmRoute, so a
 * request goes to the Tomcat its session id ends with, and to another one while that one is in error. A Tomcat in
 * error is tried again after a second. Runs in the foreground with its own ServerRoot, PidFile and ErrorLog in a
 * temporary directory, never Debian's configuration or service.
 */
public final class HttpdBalancer implements LoadBalancer {

    private static final String NOT_INSTALLED = "Apache httpd is not installed: install the Debian package 'apache2-bin'"
            + " (apt-get install apache2-bin) or set HTTPD_BIN and HTTPD_MODULES";
    private static final Path DEBIAN_MODULES = Path.of("/usr/lib/apache2/modules");
    /** Debian compiles unixd (User, Group) into the binary; the rest are loaded. */
    private static final List<String> MODULES = List.of("mpm_event", "authz_core", "proxy", "proxy_http",
            "proxy_balancer", "lbmethod_byrequests", "slotmem_shm");

    private final BalancerProcess process;
    private final List<Backend> backends;

    private HttpdBalancer(BalancerProcess process, List<Backend> backends) {
        this.process = process;
        this.backends = backends;
    }

    public static HttpdBalancer start(List<Backend> backends) {
        Path binary = locateBinary();
        Path modules = modules();
        int port = FreePorts.find();
        Path directory = TemporaryDirectories.create("memsession-httpd-");
        Path config = directory.resolve("httpd.conf");
        List<String> command = List.of(binary.toString(), "-f", config.toString(), "-DFOREGROUND");
        return new HttpdBalancer(BalancerProcess.start("httpd", directory, "httpd.conf",
                configuration(directory, modules, port, backends), command, port), List.copyOf(backends));
    }

    /** Throws {@link IllegalStateException} explaining how to install httpd if it cannot be found. */
    public static void requireInstalled() {
        locateBinary();
        modules();
    }

    private static String configuration(Path directory, Path modules, int port, List<Backend> backends) {
        StringBuilder config = new StringBuilder()
                .append("ServerRoot \"").append(directory).append("\"\n")
                .append("DefaultRuntimeDir \"").append(directory).append("\"\n")
                .append("PidFile \"").append(directory.resolve("httpd.pid")).append("\"\n")
                .append("ErrorLog \"").append(directory.resolve("error.log")).append("\"\n")
                .append("LogLevel warn\n")
                .append("ServerName ").append(Loopback.HOST).append('\n')
                .append("Listen ").append(Loopback.HOST).append(':').append(port).append('\n');
        for (String module : MODULES) {
            config.append("LoadModule ").append(module).append("_module \"")
                    .append(modules.resolve("mod_" + module + ".so")).append("\"\n");
        }
        // httpd started as root hands its requests to workers that must run as someone else
        if (new UnixSystem().getUid() == 0) {
            config.append("User nobody\nGroup nogroup\n");
        }
        config.append("StartServers 1\nServerLimit 2\nThreadsPerChild 64\nMaxRequestWorkers 128\n")
                .append("KeepAliveTimeout 30\n")
                .append("<Proxy \"balancer://tomcats\">\n");
        for (Backend backend : backends) {
            config.append("    BalancerMember \"http://").append(Loopback.HOST).append(':').append(backend.port())
                    .append("\" route=").append(backend.route())
                    // a paused Tomcat's requests fail after the timeout; one in error is tried again after a second
                    .append(" connectiontimeout=1 timeout=15 retry=1\n");
        }
        config.append("    ProxySet stickysession=JSESSIONID|jsessionid\n")
                .append("</Proxy>\n")
                .append("ProxyPass \"/\" \"balancer://tomcats/\"\n");
        return config.toString();
    }

    private static Path locateBinary() {
        try {
            return Executables.locate("HTTPD_BIN", "apache2", NOT_INSTALLED);
        } catch (IllegalStateException notDebiansName) {
            return Executables.locate("HTTPD_BIN", "httpd", NOT_INSTALLED);
        }
    }

    private static Path modules() {
        String configured = System.getenv("HTTPD_MODULES");
        Path modules = configured == null || configured.isBlank() ? DEBIAN_MODULES : Path.of(configured);
        for (String module : MODULES) {
            if (!Files.isRegularFile(modules.resolve("mod_" + module + ".so"))) {
                throw new IllegalStateException("no mod_" + module + ".so in " + modules + ": " + NOT_INSTALLED);
            }
        }
        return modules;
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
