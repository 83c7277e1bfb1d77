package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * Sticky sessions when a Tomcat fails: the load balancer sends the session's requests to another Tomcat, which
 * takes the session over from memcached. One browser (one cookie jar) talks to Tomcats {@code tc1} and {@code tc2};
 * memcached nodes {@code n1} (and {@code n2} where a scenario needs two).
 */
class TomcatFailoverTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    private final MemcachedInspector n1 = MEMCACHED.inspector("n1");
    private final MemcachedInspector n2 = MEMCACHED.inspector("n2");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();

    @BeforeEach
    void forgetActivations() {
        TestServlet.ACTIVATIONS.clear();
    }

    /** A Tomcat with memcached node n1 unless {@code attributes} (name, value, ...) say otherwise. */
    private EmbeddedTomcat start(String jvmRoute, String authMethod, String... attributes) throws Exception {
        return tomcats.add(EmbeddedTomcat.start(jvmRoute, authMethod,
                ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1"), attributes)));
    }

    private EmbeddedTomcat start(String jvmRoute) throws Exception {
        return start(jvmRoute, null);
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    private static String withRoute(String id, String route) {
        return id.substring(0, id.indexOf('.') + 1) + route;
    }

    @Test
    void takeoverMovesTheSessionToTheNewTomcatWithItsAttributes() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        get(tc1, "/set?a=x");
        Page onTc1 = get(tc1, "/");
        assertTrue(onTc1.id().endsWith("-n1.tc1"), onTc1.id());

        Page onTc2 = get(tc2, "/");

        String renamed = withRoute(onTc1.id(), "tc2");
        assertEquals(renamed, onTc2.id());
        assertEquals(renamed, onTc2.response().setCookieValue("JSESSIONID"), "the browser learns the new route");
        assertEquals(2, onTc2.counter());
        assertEquals("x", onTc2.get("a"));
        assertNull(n1.get(onTc1.id()), "the copy under the old id is deleted");
        assertNotNull(n1.get(renamed), "the session is stored under its new id");
        assertEquals(1, tc2.manager().getMsmStatNumTomcatFailover());

        Page next = get(tc2, "/");
        assertEquals(renamed, next.id());
        assertNull(next.response().setCookieValue("JSESSIONID"), "no more id changes");
        assertEquals(3, next.counter());
    }

    @Test
    void takeoverWorksWithASingleNodeWithoutNodeId() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", null, "memcachedNodes", MEMCACHED.process("n1").address());
        EmbeddedTomcat tc2 = start("tc2", null, "memcachedNodes", MEMCACHED.process("n1").address());
        Page onTc1 = get(tc1, "/set?a=x");
        assertTrue(onTc1.id().matches("[0-9A-F]+\\.tc1"), onTc1.id());

        Page onTc2 = get(tc2, "/");

        String renamed = withRoute(onTc1.id(), "tc2");
        assertEquals(renamed, onTc2.id());
        assertEquals(renamed, onTc2.response().setCookieValue("JSESSIONID"));
        assertEquals("x", onTc2.get("a"));
        assertEquals(1, onTc2.counter());
        assertNull(n1.get(onTc1.id()));
        assertNotNull(n1.get(renamed));
    }

    @Test
    void activationListenerIsToldTheNewId() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        String id = get(tc1, "/listener").id();

        Page onTc2 = get(tc2, "/read");

        assertEquals(withRoute(id, "tc2"), onTc2.id());
        assertEquals(List.of("activated:" + onTc2.id()), TestServlet.ACTIVATIONS);
        assertEquals("recorder", onTc2.get("listener"));
    }

    @Test
    void withoutJvmRouteTheIdStaysAndListenersAreActivated() throws Exception {
        EmbeddedTomcat first = start(null);
        EmbeddedTomcat second = start(null);
        String id = get(first, "/listener").id();
        assertTrue(id.matches("[0-9A-F]+-n1"), id);

        Page onSecond = get(second, "/");

        assertEquals(id, onSecond.id());
        assertNull(onSecond.response().setCookieValue("JSESSIONID"));
        assertEquals(1, onSecond.counter());
        assertEquals(List.of("activated:" + id), TestServlet.ACTIVATIONS);
        assertNotNull(n1.get(id));
    }

    @Test
    void takenOverSessionIsWrittenOnceAndThenOnlyWhenModified() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        get(tc1, "/");
        assertEquals(1, n1.stat("cmd_set"));
        get(tc2, "/read");
        assertEquals(2, n1.stat("cmd_set"), "the takeover writes the session under its new id");
        get(tc2, "/read");
        assertEquals(2, n1.stat("cmd_set"), "an unmodified session is not written");
        assertEquals(2, get(tc2, "/").counter());
        assertEquals(3, n1.stat("cmd_set"), "a modified session is written");
    }

    @Test
    void formLoginOnOneTomcatIsHonouredByTheOther() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "FORM");
        EmbeddedTomcat tc2 = start("tc2", "FORM");
        Page loggedIn = Logins.form(browser, tc1.port(), "/protected/x");
        assertTrue(loggedIn.id().endsWith(".tc1"), loggedIn.id());

        Page onTc2 = get(tc2, "/protected/x");

        assertEquals(EmbeddedTomcat.USER, onTc2.get("user"), "no new login: " + onTc2);
        assertEquals(withRoute(loggedIn.id(), "tc2"), onTc2.id());
        assertEquals(onTc2.id(), onTc2.response().setCookieValue("JSESSIONID"));
    }

    @Test
    void basicLoginOnOneTomcatIsHonouredByTheOther() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC");
        EmbeddedTomcat tc2 = start("tc2", "BASIC");
        get(tc1, "/");
        String id = Logins.basic(browser, tc1.port(), "/protected/x").id();

        WebClient.Response onTc2 = browser.get(tc2.port(), "/protected/x"); // no credentials sent

        assertEquals(200, onTc2.status(), onTc2.toString());
        Page page = Page.of(onTc2);
        assertEquals(EmbeddedTomcat.USER, page.get("user"));
        assertEquals(withRoute(id, "tc2"), page.id());
        assertEquals(page.id(), onTc2.setCookieValue("JSESSIONID"));
    }

    @Test
    void basicLoginTakeoverReadsMemcachedOnce() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC");
        EmbeddedTomcat tc2 = start("tc2", "BASIC");
        get(tc1, "/");
        Logins.basic(browser, tc1.port(), "/protected/x");
        n1.resetStats();

        assertEquals(EmbeddedTomcat.USER, get(tc2, "/protected/x").get("user"));

        assertEquals(1, n1.stat("cmd_get"));
        assertEquals(1, n1.stat("get_hits"));
    }

    @Test
    void changeMadeInTheTakeoverRequestIsStored() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        get(tc1, "/");
        get(tc2, "/set?b=2");
        EmbeddedTomcat tc3 = start("tc3");

        Page onTc3 = get(tc3, "/read");

        assertEquals("2", onTc3.get("b"));
        assertEquals(1, onTc3.counter());
    }

    @Test
    void takeoverMovesTheSessionOffThisTomcatsFailoverNode() throws Exception {
        String nodes = MEMCACHED.memcachedNodes("n1", "n2");
        EmbeddedTomcat tc1 = start("tc1", null, "memcachedNodes", nodes, "failoverNodes", "n1");
        EmbeddedTomcat tc2 = start("tc2", null, "memcachedNodes", nodes, "failoverNodes", "n2");
        Page onTc1 = get(tc1, "/");
        assertTrue(onTc1.id().endsWith("-n2.tc1"), "tc1 uses its primary node n2: " + onTc1.id());
        assertNotNull(n2.get(onTc1.id()));

        Page onTc2 = get(tc2, "/");

        String moved = onTc1.id().replace("-n2.tc1", "-n1.tc2");
        assertEquals(moved, onTc2.id());
        assertEquals(moved, onTc2.response().setCookieValue("JSESSIONID"));
        assertEquals(2, onTc2.counter());
        assertNotNull(n1.get(moved), "stored on tc2's primary node");
        assertNull(n2.get(onTc1.id()), "gone from tc2's failover node");
    }

    @Test
    void tomcatThatGetsASessionBackServesItsNewestState() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        List<EmbeddedTomcat> route = List.of(tc1, tc2, tc1, tc2, tc1);
        for (int i = 0; i < route.size(); i++) {
            EmbeddedTomcat tomcat = route.get(i);
            Page page = get(tomcat, "/");
            assertEquals(i + 1, page.counter(), "request " + (i + 1) + " on " + page.id());
            assertTrue(page.id().endsWith(tomcat == tc1 ? ".tc1" : ".tc2"), page.id());
        }
        Page last = get(tc1, "/read");
        assertEquals(5, last.counter());
        assertNotNull(n1.get(last.id()));
    }
}
