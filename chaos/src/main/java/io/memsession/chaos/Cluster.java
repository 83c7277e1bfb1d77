package io.memsession.chaos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

import io.memsession.testkit.FreePorts;
import io.memsession.testkit.HaproxyProcess;
import io.memsession.testkit.HttpdBalancer;
import io.memsession.testkit.LoadBalancer;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.TomcatDistribution;

/**
 * The servers of one fault run: memcached nodes mc1.. (node ids n1..), Tomcat distributions tc1.. (jvmRoute tc1..)
 * with memsession's jar, and the load balancer in front. Knows which of them answer right now, for the probe.
 */
final class Cluster implements AutoCloseable {

    static final String HEALTH_PATH = "/health.txt";
    /** Increments the session's counter, or with {@code ?read} only shows it; increments are serialized. */
    static final String COUNTER_JSP = "<%@ page contentType=\"text/plain;charset=UTF-8\" "
            + "trimDirectiveWhitespaces=\"true\" %><%\n"
            + "    Integer counter;\n"
            + "    synchronized (application) {\n"
            + "        counter = (Integer) session.getAttribute(\"counter\");\n"
            + "        if (request.getParameter(\"read\") == null) {\n"
            + "            counter = counter == null ? 1 : counter + 1;\n"
            + "            session.setAttribute(\"counter\", counter);\n"
            + "        }\n"
            + "    }\n"
            + "%>counter=<%= counter == null ? 0 : counter %>\n";
    private static final String JAVA_OPTS = "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    /** A server with what the probe needs: whether it answers, and since when (System.nanoTime()). */
    static final class Server {
        final String name;
        volatile boolean running;
        volatile boolean paused;
        volatile long upSinceNanos;

        Server(String name) {
            this.name = name;
        }

        boolean answers() {
            return running && !paused;
        }

        void started() {
            upSinceNanos = System.nanoTime();
            paused = false;
            running = true;
        }
    }

    private final Map<String, MemcachedProcess> memcached = new LinkedHashMap<>();
    private final Map<String, TomcatDistribution> tomcats = new LinkedHashMap<>();
    private final Map<String, Server> servers = new LinkedHashMap<>();
    private LoadBalancer balancer;

    private Cluster() {
    }

    static Cluster start(ChaosOptions options, Path memsessionJar, Path distribution, Path workDir) {
        Cluster cluster = new Cluster();
        try {
            cluster.launch(options, memsessionJar, distribution, workDir);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void launch(ChaosOptions options, Path memsessionJar, Path distribution, Path workDir) {
        List<String> nodes = new ArrayList<>();
        for (int i = 1; i <= options.memcachedNodes(); i++) {
            MemcachedProcess node = MemcachedProcess.start();
            memcached.put("mc" + i, node);
            server("mc" + i).started();
            nodes.add("n" + i + ":" + node.address());
        }
        String manager = "<Manager className=\"io.memsession.tomcat.MemcachedSessionManager\" memcachedNodes=\""
                + String.join(",", nodes) + "\" "
                + (options.sticky() ? "sessionBackupAsync=\"" + options.backupAsync() + "\""
                        : "sticky=\"false\" lockingMode=\"all\"") + "/>";
        List<LoadBalancer.Backend> backends = new ArrayList<>();
        for (int i = 1; i <= options.tomcats(); i++) {
            String route = "tc" + i;
            TomcatDistribution tomcat = TomcatDistribution.unpack(distribution, workDir, route);
            tomcats.put(route, tomcat);
            tomcat.port(FreePorts.find()).jvmRoute(route).addLibJar(memsessionJar).contextXml(manager)
                    .deployRootApp(Map.of("counter.jsp", COUNTER_JSP, HEALTH_PATH.substring(1), "up\n"))
                    .javaOpts(JAVA_OPTS);
            backends.add(new LoadBalancer.Backend(route, tomcat.httpPort()));
        }
        // the Tomcats start in parallel: each takes seconds, mostly on one core
        CompletableFuture.allOf(tomcats.keySet().stream()
                .map(name -> CompletableFuture.runAsync(() -> restart(name)))
                .toArray(CompletableFuture[]::new)).join();
        balancer = options.sticky() ? HttpdBalancer.start(backends) : HaproxyProcess.start(backends, HEALTH_PATH);
    }

    private Server server(String name) {
        return servers.computeIfAbsent(name, Server::new);
    }

    Server state(String name) {
        return servers.get(name);
    }

    int port() {
        return balancer.port();
    }

    String balancerName() {
        return balancer instanceof HttpdBalancer ? "Apache httpd mod_proxy_balancer" : "HAProxy";
    }

    /** A new inspector of memcached node {@code nodeId} (n1, ...), for one thread. */
    MemcachedInspector inspector(String nodeId) {
        return MemcachedInspector.connect(memcached.get("mc" + nodeId.substring(1)));
    }

    List<String> nodeIds() {
        return memcached.keySet().stream().map(name -> "n" + name.substring(2)).collect(Collectors.toList());
    }

    /** Carries out one fault; a restart returns once the server answers again. */
    void apply(Fault fault) {
        Server server = servers.get(fault.target());
        switch (fault.action()) {
            case KILL -> {
                server.running = false;
                if (memcached.containsKey(fault.target())) {
                    memcached.get(fault.target()).kill();
                } else {
                    tomcats.get(fault.target()).kill9();
                }
            }
            case PAUSE -> {
                server.paused = true;
                if (memcached.containsKey(fault.target())) {
                    memcached.get(fault.target()).pause();
                } else {
                    tomcats.get(fault.target()).pause();
                }
            }
            case RESUME -> {
                if (memcached.containsKey(fault.target())) {
                    memcached.get(fault.target()).resume();
                } else {
                    tomcats.get(fault.target()).resume();
                }
                server.paused = false;
            }
            case RESTART -> restart(fault.target());
        }
    }

    private void restart(String name) {
        Server server = server(name);
        server.running = false;
        if (memcached.containsKey(name)) {
            memcached.get(name).restart();
        } else {
            TomcatDistribution tomcat = tomcats.get(name);
            tomcat.kill9();
            tomcat.start();
        }
        server.started();
    }

    /** After the load: paused servers answer again, so the final reads are not stuck behind them. */
    void resumeAll() {
        servers.values().stream().filter(server -> server.running && server.paused)
                .forEach(server -> apply(new Fault(Duration.ZERO, Fault.Action.RESUME, server.name)));
    }

    /** The SEVERE lines of every Tomcat's console. */
    List<String> severeLines() {
        List<String> lines = new ArrayList<>();
        tomcats.forEach((name, tomcat) -> tomcat.severeLines().forEach(line -> lines.add(name + ": " + line)));
        return lines;
    }

    @Override
    public void close() {
        if (balancer != null) {
            balancer.close();
        }
        tomcats.values().forEach(TomcatDistribution::close);
        memcached.values().forEach(MemcachedProcess::close);
    }
}
