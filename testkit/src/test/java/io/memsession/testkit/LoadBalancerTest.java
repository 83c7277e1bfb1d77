package io.memsession.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two real load balancers in front of two small HTTP servers that answer with their name and hand out a
 * JSESSIONID ending in it, as Tomcat with a jvmRoute does.
 */
class LoadBalancerTest {

    private final List<HttpServer> servers = new ArrayList<>();
    private final List<LoadBalancer.Backend> backends = new ArrayList<>();

    @AfterEach
    void stopServers() {
        servers.forEach(server -> server.stop(0));
    }

    private void startBackends(String... routes) {
        for (String route : routes) {
            HttpServer server;
            try {
                server = HttpServer.create(Loopback.address(0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                byte[] body = route.getBytes(StandardCharsets.UTF_8);
                String cookie = exchange.getRequestHeaders().getFirst("Cookie");
                if (cookie == null) {
                    exchange.getResponseHeaders().add("Set-Cookie", "JSESSIONID=ABC123." + route + "; Path=/");
                }
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            servers.add(server);
            backends.add(new LoadBalancer.Backend(route, server.getAddress().getPort()));
        }
    }

    @Test
    void haproxySendsRequestsRoundRobinAndLeavesOutABackendThatIsDown() {
        startBackends("tc1", "tc2");
        try (HaproxyProcess haproxy = HaproxyProcess.start(backends, "/health");
             WebClient client = new WebClient()) {
            assertTrue(Poll.until(Duration.ofSeconds(10), () -> answeringBackends(haproxy, client, 4).size() == 2),
                    "both backends answer in turn");

            servers.get(0).stop(0);
            // two failed checks 500 ms apart take it out; until then redispatch sends its requests to tc2
            assertTrue(Poll.until(Duration.ofSeconds(10),
                    () -> answeringBackends(haproxy, client, 4).equals(Set.of("tc2"))));
            assertEquals(200, client.get(haproxy.port(), "/").status());
        }
    }

    @Test
    void httpdFollowsTheRouteOfTheSessionIdAndFailsOverWhenItsTomcatIsDown() {
        startBackends("tc1", "tc2");
        try (HttpdBalancer httpd = HttpdBalancer.start(backends);
             WebClient client = new WebClient()) {
            client.setCookie("JSESSIONID", "ABC123.tc2");
            for (int i = 0; i < 6; i++) {
                assertEquals("tc2", client.get(httpd.port(), "/").body(), "sticky to the id's route");
            }
            client.setCookie("JSESSIONID", "ABC123.tc1");
            assertEquals("tc1", client.get(httpd.port(), "/").body());
            assertEquals("tc1", client.get(httpd.port(), "/path;jsessionid=ABC123.tc1").body(),
                    "the path parameter counts as well");

            servers.get(0).stop(0);
            WebClient.Response failedOver = client.get(httpd.port(), "/");
            assertEquals(200, failedOver.status());
            assertEquals("tc2", failedOver.body());
        }
    }

    @Test
    void closeStopsTheBalancerAndFreesItsPort() {
        startBackends("tc1");
        int port;
        try (HttpdBalancer httpd = HttpdBalancer.start(backends)) {
            port = httpd.port();
            assertTrue(Loopback.accepts(port));
        }
        assertFalse(Loopback.accepts(port));
        try (HaproxyProcess haproxy = HaproxyProcess.start(backends, "/health")) {
            port = haproxy.port();
        }
        assertFalse(Loopback.accepts(port));
    }

    private static Set<String> answeringBackends(LoadBalancer balancer, WebClient client, int requests) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            client.clearCookies();
            WebClient.Response response = client.get(balancer.port(), "/");
            if (response.status() == 200) {
                names.add(response.body());
            }
        }
        return names;
    }
}
