package io.memsession.tomcat;

import static io.memsession.tomcat.MemcachedCluster.nodeOf;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memsession.core.config.MemcachedNode;
import io.memsession.core.stats.NodeStatus;
import io.memsession.testkit.ConfigEndpointServer;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.WebClient;

/**
 * Issue 16: memcached nodes listed by a configuration endpoint ({@code memcachedNodes="config:host:port"}) that come
 * and go while clients keep incrementing their counters. A node that joins takes new sessions; a node that leaves
 * loses no acknowledged increment and no session, in both modes; an endpoint that is down or answers nonsense
 * changes nothing. Real memcached nodes {@code a} and {@code b} behind the test kit's endpoint, two Tomcats.
 */
class NodeDiscoveryTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("a", "b");
    /** A poll every 200 ms: the test waits for polls, never for ElastiCache's minute. */
    private static final String POLL_INTERVAL = "200";
    private static final int CLIENTS = 4;

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");
    @AutoClose
    private ConfigEndpointServer endpoint;

    private EmbeddedTomcat start(String jvmRoute, boolean sticky) throws Exception {
        return tomcats.start(jvmRoute, endpoint.memcachedNodes(), "configEndpointPollInterval", POLL_INTERVAL,
                "sticky", String.valueOf(sticky), "sessionBackupAsync", "false");
    }

    private static MemcachedProcess node(String name) {
        return MEMCACHED.process(name);
    }

    /** The id every Tomcat gives the node the endpoint lists as {@code localhost|127.0.0.1|port}. */
    private static String idOf(String name) {
        return MemcachedNode.discovered("localhost", "127.0.0.1", node(name).port()).id();
    }

    private static Set<String> upNodeIds(EmbeddedTomcat tomcat) {
        return tomcat.manager().nodes().stream().filter(NodeStatus::isUp).map(NodeStatus::id)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> ids(String... names) {
        Set<String> ids = new TreeSet<>();
        for (String name : names) {
            ids.add(idOf(name));
        }
        return ids;
    }

    private static void awaitNodes(Set<String> expected, EmbeddedTomcat... tomcats) {
        for (EmbeddedTomcat tomcat : tomcats) {
            await().atMost(10, SECONDS).until(() -> upNodeIds(tomcat).equals(expected)
                    && tomcat.manager().nodes().size() == expected.size());
        }
    }

    @ParameterizedTest(name = "sticky={0}")
    @ValueSource(booleans = {true, false})
    void aNodeThatJoinsTakesNewSessionsWhileClientsCountOn(boolean sticky) throws Exception {
        endpoint = ConfigEndpointServer.start(node("a"));
        EmbeddedTomcat tc1 = start("tc1", sticky);
        EmbeddedTomcat tc2 = start("tc2", sticky);
        assertEquals(ids("a"), upNodeIds(tc1), "started with the endpoint's one node");

        try (CountingClients load = new CountingClients(CLIENTS,
                i -> sticky ? tc1.port() : (i % 2 == 0 ? tc1 : tc2).port())) {
            load.awaitEveryClient(3);
            endpoint.list(node("a"), node("b"));
            awaitNodes(ids("a", "b"), tc1, tc2);
            load.awaitEveryClient(3);
            load.stop();
            load.assertNothingLost();
        }

        List<String> onB = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            try (WebClient newcomer = new WebClient()) {
                String id = Page.of(newcomer.get(tc1.port(), "/")).id();
                if (nodeOf(id).equals(idOf("b"))) {
                    onB.add(id);
                }
            }
        }
        assertTrue(!onB.isEmpty() && onB.size() < 30, "new sessions go to both nodes, b too: " + onB.size());
        for (String id : onB) {
            assertNotNull(MEMCACHED.inspector("b").get(id), "memcached b holds the session " + id);
        }
        assertTrue(MEMCACHED.inspector("b").stat("curr_items") >= onB.size());
        assertEquals(List.of(), log.warningsBesidesStartUpExposure());
    }

    @ParameterizedTest(name = "sticky={0}")
    @ValueSource(booleans = {true, false})
    void aNodeThatLeavesLosesNoAcknowledgedIncrementAndNoSession(boolean sticky) throws Exception {
        endpoint = ConfigEndpointServer.start(node("b")); // every session starts on b
        EmbeddedTomcat tc1 = start("tc1", sticky);
        EmbeddedTomcat tc2 = start("tc2", sticky);

        // sticky: the clients' Tomcat is tc1 until the balancer sends them to tc2, which reads their sessions from
        // memcached: what tc1 stored there is all there is
        AtomicBoolean toTc2 = new AtomicBoolean();
        try (CountingClients load = new CountingClients(CLIENTS * 2,
                i -> sticky ? (toTc2.get() ? tc2 : tc1).port() : (i % 2 == 0 ? tc1 : tc2).port())) {
            load.awaitEveryClient(3);
            assertTrue(load.currentIds().stream().allMatch(id -> nodeOf(id).equals(idOf("b"))), load.currentIds()
                    .toString());
            endpoint.list(node("a"), node("b"));
            awaitNodes(ids("a", "b"), tc1, tc2);
            load.awaitEveryClient(3); // a second copy of each session (sticky), a backup copy (non-sticky) on a

            endpoint.list(node("a")); // b leaves the cluster while it still runs, as ElastiCache does
            awaitNodes(ids("a"), tc1, tc2);
            await().atMost(10, SECONDS).until(() -> load.currentIds().stream()
                    .allMatch(id -> nodeOf(id).equals(idOf("a"))));
            node("b").kill(); // and is shut down once it left
            load.awaitEveryClient(3);
            if (sticky) {
                toTc2.set(true);
                load.awaitEveryClient(3);
            }
            load.stop();
            load.assertNothingLost();
            assertTrue(load.currentIds().stream().allMatch(id -> nodeOf(id).equals(idOf("a"))),
                    "every session is on a now: " + load.currentIds());
        }
    }

    @Test
    void anEndpointThatIsDownOrAnswersNonsenseLeavesTheLastListInUse() throws Exception {
        endpoint = ConfigEndpointServer.start(node("a"), node("b"));
        EmbeddedTomcat tc1 = start("tc1", false);
        awaitNodes(ids("a", "b"), tc1);

        endpoint.down();
        await().atMost(10, SECONDS).until(() -> !log.warningsContaining("configuration endpoint",
                "cannot be read", "the last list of memcached nodes stays in use").isEmpty());
        assertEquals(ids("a", "b"), upNodeIds(tc1));
        assertSessionsOnEveryNode(tc1, "a", "b");

        endpoint.up();
        // an empty list (clumsy), and a forged one whose node carries what is no host name (hostile)
        for (String nonsense : new String[] {config("9\n\n"), config("9\nevil\r\nset x 0 0 1|1.2.3.4|11211\n")}) {
            int asked = endpoint.questions();
            endpoint.answerWith(nonsense);
            await().atMost(10, SECONDS).until(() -> endpoint.questions() > asked + 2);
            assertEquals(ids("a", "b"), upNodeIds(tc1), "the list stays as it was");
            assertSessionsOnEveryNode(tc1, "a", "b");
        }
        assertEquals(1, log.warningsContaining("lists no node").size(), "the nonsense is logged, once a minute: "
                + log.warnings());
        assertEquals(1, log.warningsContaining("a version line and a node line").size(), log.warnings().toString());

        endpoint.list(node("b")); // and a well-formed list is followed again
        awaitNodes(ids("b"), tc1);
    }

    private static String config(String body) {
        return "CONFIG cluster 0 " + body.length() + "\r\n" + body + "\r\nEND\r\n";
    }

    /** New sessions go to each of these nodes, and nowhere else. */
    private static void assertSessionsOnEveryNode(EmbeddedTomcat tomcat, String... names) {
        Set<String> used = new TreeSet<>();
        for (int i = 0; i < 30; i++) {
            try (WebClient newcomer = new WebClient()) {
                String id = Page.of(newcomer.get(tomcat.port(), "/")).id();
                used.add(nodeOf(id));
                assertEquals(2, Page.of(newcomer.get(tomcat.port(), "/")).counter());
            }
        }
        assertEquals(ids(names), used);
    }

    /**
     * Clients counting up their sessions' counters on threads of their own, each recording every acknowledged
     * value: a counter that comes back lower than or equal to the last acknowledged one lost an increment (or the
     * session). A request that failed (not acknowledged) may or may not have counted.
     */
    private static final class CountingClients implements AutoCloseable {
        private final List<Thread> threads = new ArrayList<>();
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private final AtomicReferenceArray<String> currentIds;
        private final AtomicIntegerArray acknowledged;
        private volatile boolean stopped;

        /** @param port the port of client {@code i}'s Tomcat for its next request */
        CountingClients(int count, IntFunction<Integer> port) {
            currentIds = new AtomicReferenceArray<>(count);
            acknowledged = new AtomicIntegerArray(count);
            for (int i = 0; i < count; i++) {
                int client = i;
                Thread thread = new Thread(() -> count(client, port), "counting-client-" + i);
                thread.setDaemon(true);
                threads.add(thread);
                thread.start();
            }
        }

        private void count(int client, IntFunction<Integer> port) {
            long deadline = System.nanoTime() + SECONDS.toNanos(60);
            int lastPort = 0;
            try (WebClient browser = new WebClient()) {
                for (int request = 0; !stopped && request < 10_000 && System.nanoTime() < deadline; request++) {
                    WebClient.Response response;
                    int to = port.apply(request);
                    try {
                        response = browser.get(to, "/");
                    } catch (RuntimeException e) {
                        problems.add("client " + client + ": " + e);
                        continue;
                    }
                    if (response.status() != 200) {
                        problems.add("client " + client + ": " + response.status());
                        continue;
                    }
                    Page page = Page.of(response);
                    if (page.counter() != acknowledged.get(client) + 1) {
                        problems.add("client " + client + " in session " + page.id() + " on port " + to
                                + ": counter " + page.counter() + " after the acknowledged "
                                + acknowledged.get(client) + " in " + currentIds.get(client) + " on port " + lastPort);
                    }
                    lastPort = to;
                    acknowledged.set(client, page.counter());
                    currentIds.set(client, page.id());
                }
            }
        }

        /** Waits until every client counted {@code more} times from here (or a problem showed). */
        void awaitEveryClient(int more) {
            int[] from = new int[acknowledged.length()];
            for (int i = 0; i < from.length; i++) {
                from[i] = acknowledged.get(i);
            }
            await().atMost(30, SECONDS).until(() -> {
                for (int i = 0; i < from.length; i++) {
                    if (acknowledged.get(i) < from[i] + more) {
                        return !problems.isEmpty();
                    }
                }
                return true;
            });
        }

        Set<String> currentIds() {
            Set<String> ids = new TreeSet<>();
            for (int i = 0; i < currentIds.length(); i++) {
                if (currentIds.get(i) != null) {
                    ids.add(currentIds.get(i));
                }
            }
            return ids;
        }

        void stop() throws InterruptedException {
            stopped = true;
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        }

        void assertNothingLost() {
            assertEquals(List.of(), problems, "every request answered, every acknowledged increment kept");
            for (int i = 0; i < acknowledged.length(); i++) {
                assertTrue(acknowledged.get(i) >= 6, "client " + i + " counted on: " + acknowledged.get(i));
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
