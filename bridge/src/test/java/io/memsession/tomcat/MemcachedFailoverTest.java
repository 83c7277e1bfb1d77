package io.memsession.tomcat;

import static io.memsession.tomcat.MemcachedCluster.nodeOf;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.WebClient;

/**
 * Sticky sessions when memcached nodes fail: one Tomcat ({@code tc1}), memcached nodes {@code n1}, {@code n2},
 * {@code n3}. A session whose node dies moves to another node and the browser learns its new id; with every node
 * down the session lives on in Tomcat's memory.
 */
class MemcachedFailoverTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2", "n3");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    /** The Tomcat the test started last. */
    private EmbeddedTomcat tomcat;
    @AutoClose
    private final WebClient browser = new WebClient();


    private void startTomcat(String... attributes) throws Exception {
        tomcat = tomcats.start("tc1", MEMCACHED.memcachedNodes(), attributes);
    }

    private Page get(String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    /** Kills the nodes and waits until the Tomcat has noticed, as it does within a second. */
    private void kill(String... nodes) {
        for (String node : nodes) {
            MEMCACHED.process(node).kill();
        }
        for (String node : nodes) {
            await().atMost(10, SECONDS).until(() -> !tomcat.manager().engine().canLoad("X-" + node));
        }
    }

    private static String baseOf(String id) {
        return id.substring(0, id.indexOf('-'));
    }

    @Test
    void sessionMovesToAnotherNodeWhenItsNodeDies() throws Exception {
        startTomcat();
        Page first = get("/");
        String deadNode = nodeOf(first.id());
        assertNotNull(MEMCACHED.inspector(deadNode).get(first.id()));

        kill(deadNode);
        Page moved = get("/");

        String newNode = nodeOf(moved.id());
        assertNotEquals(deadNode, newNode);
        assertEquals(baseOf(first.id()) + "-" + newNode + ".tc1", moved.id());
        assertEquals(moved.id(), moved.response().setCookieValue("JSESSIONID"), "the browser learns the new id");
        assertEquals(2, moved.counter());
        assertNotNull(MEMCACHED.inspector(newNode).get(moved.id()), "stored on the new node");
        assertEquals(1, tomcat.manager().getMsmStatNumMemcachedFailover());

        Page next = get("/");
        assertEquals(moved.id(), next.id());
        assertNull(next.response().setCookieValue("JSESSIONID"));
        assertEquals(3, next.counter());
    }

    @Test
    void sessionMovesToTheLastNodeStanding() throws Exception {
        startTomcat();
        Page first = get("/set?a=x");
        String deadNode = nodeOf(first.id());
        String otherDeadNode = deadNode.equals("n1") ? "n2" : "n1";
        String survivor = List.of("n1", "n2", "n3").stream()
                .filter(node -> !node.equals(deadNode) && !node.equals(otherDeadNode)).findFirst().orElseThrow();

        kill(deadNode, otherDeadNode);
        Page moved = get("/");

        assertEquals(baseOf(first.id()) + "-" + survivor + ".tc1", moved.id());
        assertEquals(moved.id(), moved.response().setCookieValue("JSESSIONID"));
        assertEquals("x", moved.get("a"));
        assertEquals(1, moved.counter());
        assertNotNull(MEMCACHED.inspector(survivor).get(moved.id()));
    }

    @Test
    void withEveryNodeDownTheSessionLivesOnInTomcat() throws Exception {
        startTomcat();
        Page first = get("/");
        kill("n1", "n2", "n3");

        Page second = get("/");
        Page third = get("/");

        assertEquals(first.id(), second.id());
        assertEquals(first.id(), third.id());
        assertNull(second.response().setCookieValue("JSESSIONID"), "no id change while no node can take it");
        assertEquals(2, second.counter());
        assertEquals(3, third.counter());
        assertTrue(tomcat.manager().getMsmStatNumBackupFailures() >= 2);
    }

    @Test
    void sessionCreatedWhileEveryNodeIsDownHasNoNodeAndKeepsItsId() throws Exception {
        startTomcat();
        kill("n1", "n2", "n3");

        Page first = get("/");
        Page second = get("/");

        assertTrue(first.id().matches("[0-9A-F]{32}\\.tc1"), first.id());
        assertEquals(first.id(), second.id());
        assertNull(second.response().setCookieValue("JSESSIONID"), "no cookie churn");
        assertEquals(2, second.counter());
    }

    @Test
    void newSessionsGoToTheFailoverNodeOnlyWhenNoPrimaryIsUp() throws Exception {
        startTomcat("failoverNodes", "n3");
        for (int i = 0; i < 6; i++) {
            browser.clearCookies();
            assertNotEquals("n3", nodeOf(get("/").id()), "a failover node is not used while primaries are up");
        }
        kill("n1", "n2");
        browser.clearCookies();

        Page first = get("/");
        Page second = get("/");

        assertEquals("n3", nodeOf(first.id()));
        assertNotNull(MEMCACHED.inspector("n3").get(first.id()));
        assertEquals(first.id(), second.id());
        assertNull(second.response().setCookieValue("JSESSIONID"), "no cookie churn");
        assertEquals(2, second.counter());
    }

    @Test
    void nodeAddedAtRuntimeTakesTheSessionsOfADeadNode() throws Exception {
        startTomcat("memcachedNodes", MEMCACHED.memcachedNodes("n1"));
        Page first = get("/");
        assertEquals("n1", nodeOf(first.id()));

        tomcat.manager().setMemcachedNodes(MEMCACHED.memcachedNodes("n1", "n3"));
        kill("n1");
        Page moved = get("/");

        assertEquals(baseOf(first.id()) + "-n3.tc1", moved.id());
        assertEquals(moved.id(), moved.response().setCookieValue("JSESSIONID"));
        assertEquals(2, moved.counter());
        assertNotNull(MEMCACHED.inspector("n3").get(moved.id()));
    }

    @Test
    void sessionOfANodeRemovedAtRuntimeMovesToARemainingNode() throws Exception {
        startTomcat("memcachedNodes", MEMCACHED.memcachedNodes("n1"));
        Page first = get("/");

        tomcat.manager().setMemcachedNodes(MEMCACHED.memcachedNodes("n2"));
        Page moved = get("/");

        assertEquals(baseOf(first.id()) + "-n2.tc1", moved.id());
        assertEquals(moved.id(), moved.response().setCookieValue("JSESSIONID"));
        assertEquals(2, moved.counter());
        assertNotNull(MEMCACHED.inspector("n2").get(moved.id()));
    }

    @Test
    void failoverNodesChangedAtRuntimeSteerNewSessions() throws Exception {
        startTomcat("memcachedNodes", MEMCACHED.memcachedNodes("n1", "n2"), "failoverNodes", "n2");
        for (int i = 0; i < 3; i++) {
            browser.clearCookies();
            assertEquals("n1", nodeOf(get("/").id()));
        }

        tomcat.manager().setFailoverNodes("n1");

        for (int i = 0; i < 3; i++) {
            browser.clearCookies();
            Page page = get("/");
            assertEquals("n2", nodeOf(page.id()));
            assertNotNull(MEMCACHED.inspector("n2").get(page.id()));
        }
    }
}
