package io.memsession.samples.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.ConfigurationException;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.WebClient;

/**
 * The sample as users run it ({@code java -jar}, two instances, two real memcached nodes), on the Boot major of the
 * module that runs this: the starter alone, given {@code memsession.memcached-nodes}, keeps sessions in memcached
 * through the loss of an instance in both modes, shows its numbers in {@code /actuator/metrics} and its nodes in
 * {@code /actuator/health}, and a wrong property stops the start with the message {@code context.xml} gives.
 */
class SpringBootSampleIT {

    private static final Duration AWAIT = Duration.ofSeconds(20);

    private static MemcachedProcess n1;
    private static MemcachedProcess n2;
    private static String nodes;
    private static Path logs;

    @BeforeAll
    static void startMemcached() throws IOException {
        n1 = MemcachedProcess.start();
        n2 = MemcachedProcess.start();
        nodes = "n1:" + n1.address() + ",n2:" + n2.address();
        logs = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "memsession-boot-it"));
    }

    @AfterAll
    static void stopMemcached() {
        n1.close();
        n2.close();
    }

    @Test
    void stickySessionSurvivesAKilledJvmWithMetricsAndHealthToShowIt() throws Exception {
        // a writes before each response, so it can be killed right after one; b writes after (the default)
        BootApplication a = BootApplication.launch(logs, "a", List.of(), "--memsession.jvm-route=a",
                "--memsession.memcached-nodes=" + nodes, "--memsession.session-backup-async=false");
        BootApplication b = BootApplication.launch(logs, "b", List.of(), "--memsession.jvm-route=b",
                "--memsession.memcached-nodes=" + nodes);
        try (a; b; WebClient browser = new WebClient(); WebClient monitor = new WebClient()) {
            a.awaitReady();
            b.awaitReady();
            assertTrue(browser.get(a.port(), "/counter").body().contains(" counter=1 tomcat=a"));
            String answer = browser.get(a.port(), "/counter").body();
            assertTrue(answer.contains(" counter=2 tomcat=a"), answer);
            String session = browser.cookie("JSESSIONID");
            assertTrue(session.matches(".+-n[12]\\.a"), "the id names its memcached node and its Tomcat: " + session);

            assertEquals(2, a.metric(monitor, "memsession.requests", "COUNT", "session:with"));
            assertEquals(2, a.metric(monitor, "memsession.backups", "COUNT", "result:written"));
            assertEquals(2, a.metric(monitor, "memsession.store.latency", "COUNT", "operation:write"));
            assertTrue(a.metric(monitor, "memsession.session.size", "TOTAL", new String[0]) > 0);
            assertEquals(2, a.metric(monitor, "memsession.nodes", "VALUE", "state:up"));
            a.kill();

            answer = browser.get(b.port(), "/counter").body();
            assertTrue(answer.contains(" counter=3 tomcat=b"), "b took the session over: " + answer);
            assertTrue(browser.cookie("JSESSIONID").endsWith(".b"), browser.cookie("JSESSIONID"));
            assertEquals(1, b.metric(monitor, "memsession.failovers", "COUNT", "kind:tomcat"));
            assertEquals(1, b.metric(monitor, "memsession.store.latency", "COUNT", "operation:read"));

            assertEquals("UP", b.memsessionHealth(monitor));
            n2.kill();
            awaitHealth(b, monitor, "DEGRADED");
            assertEquals(200, monitor.get(b.port(), "/actuator/health").status(),
                    "a node down leaves the application UP");
            assertEquals(1, b.metric(monitor, "memsession.nodes", "VALUE", "state:down"));
            n1.kill();
            awaitHealth(b, monitor, "DOWN");
            assertEquals(503, monitor.get(b.port(), "/actuator/health").status());
            n1.restart();
            n2.restart();
            awaitHealth(b, monitor, "UP");
        }
    }

    @Test
    void nonStickySessionSurvivesAKilledJvm() throws Exception {
        BootApplication c = BootApplication.launch(logs, "c", List.of(),
                "--memsession.memcached-nodes=" + nodes, "--memsession.sticky=false");
        BootApplication d = BootApplication.launch(logs, "d", List.of(),
                "--memsession.memcached-nodes=" + nodes, "--memsession.sticky=false");
        try (c; d; WebClient browser = new WebClient()) {
            c.awaitReady();
            d.awaitReady();
            for (int i = 1; i <= 4; i++) {
                BootApplication instance = i % 2 == 1 ? c : d;
                String answer = browser.get(instance.port(), "/counter").body();
                assertTrue(answer.contains(" counter=" + i + " "), "request " + i + ": " + answer);
            }
            c.kill();
            String answer = browser.get(d.port(), "/counter").body();
            assertTrue(answer.contains(" counter=5 tomcat=d"), answer);
        }
    }

    @Test
    void aWrongPropertyStopsTheStartWithTheMessageOfContextXml() throws Exception {
        String expected = message(() -> new ConfigurationBuilder().set("memcachedNodes", nodes)
                .set("lockTimeout", "soon").build());
        BootApplication wrong = BootApplication.launch(logs, "wrong", List.of(),
                "--memsession.memcached-nodes=" + nodes, "--memsession.lock-timeout=soon");
        try (wrong) {
            assertNotEquals(0, wrong.awaitExit());
            assertTrue(wrong.output().contains("APPLICATION FAILED TO START"), wrong.output());
            assertTrue(wrong.output().contains(expected), "the log gives \"" + expected + "\":\n" + wrong.output());
        }
    }

    @Test
    void withoutMemcachedNodesTheApplicationKeepsTomcatsSessions() throws Exception {
        BootApplication plain = BootApplication.launch(logs, "plain", List.of());
        try (plain; WebClient browser = new WebClient()) {
            plain.awaitReady();
            String answer = browser.get(plain.port(), "/counter").body();
            assertTrue(answer.matches("session=[0-9A-F]+ counter=1 tomcat=plain\\n"), answer);
            assertEquals(404, browser.get(plain.port(), "/actuator/metrics/memsession.requests").status());
            assertFalse(browser.get(plain.port(), "/actuator/health").body().contains("memsession"));
        }
    }

    private static void awaitHealth(BootApplication app, WebClient monitor, String status) {
        Awaitility.await("memsession's health is " + status).atMost(AWAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(app.memsessionHealth(monitor)));
    }

    private static String message(Supplier<?> configuration) {
        try {
            configuration.get();
        } catch (ConfigurationException e) {
            return e.getMessage();
        }
        throw new AssertionError("the configuration is valid");
    }
}
