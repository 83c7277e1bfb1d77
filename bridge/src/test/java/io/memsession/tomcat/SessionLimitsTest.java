package io.memsession.tomcat;

import static io.memsession.tomcat.MemcachedCluster.nodeOf;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * What one client can cost others and memcached: a session grown larger than memcached stores (memcached with its
 * default 1 MB item size), clients without cookies whose sessions hold nothing, and requests with many session
 * cookies. Two memcached nodes, so that a session that had to leave its node would show it in its id.
 */
class SessionLimitsTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    /** Over memcached's default item size of 1 MB. */
    private static final int OVERSIZED_BYTES = 1_100_000;
    private static final int NEIGHBOURS = 20;
    private static final int ROUNDS = 5;
    /** The memcached commands a request can cause, as memcached counts them. */
    private static final List<String> COMMAND_STATS = List.of("cmd_get", "get_hits", "get_misses", "cmd_set",
            "cmd_touch", "delete_hits", "delete_misses", "cas_hits", "cas_misses", "cas_badval");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");
    private final List<WebClient> browsers = new ArrayList<>();

    private WebClient browser() {
        WebClient browser = new WebClient();
        browsers.add(browser);
        return browser;
    }

    @AfterEach
    void closeBrowsers() {
        browsers.forEach(WebClient::close);
    }

    /**
     * {@code count} browsers, each with a session holding a counter of 1 on {@code nodeId}; sessions created on the
     * other node are dropped (a new client gets a random node).
     */
    private List<WebClient> browsersWithSessionsOn(String nodeId, int count, EmbeddedTomcat tomcat) {
        List<WebClient> found = new ArrayList<>();
        for (int attempt = 0; attempt < 40 * count && found.size() < count; attempt++) {
            WebClient browser = browser();
            Page page = Page.of(browser.get(tomcat.port(), "/"));
            if (nodeOf(page.id()).equals(nodeId)) {
                found.add(browser);
            }
        }
        assertEquals(count, found.size(), "sessions on " + nodeId);
        return found;
    }

    private static long totalConnections() {
        return MEMCACHED.inspector("n1").stat("total_connections") + MEMCACHED.inspector("n2").stat("total_connections");
    }

    @ParameterizedTest(name = "sessionBackupAsync={0}")
    @ValueSource(booleans = {false, true})
    void stickyOversizedSessionStaysInTomcatAndNeverDisturbsTheSessionsOnItsNode(boolean async) throws Exception {
        EmbeddedTomcat tomcat = tomcats.start("tc1", MEMCACHED.memcachedNodes("n1", "n2"), "sessionBackupAsync",
                String.valueOf(async));
        WebClient big = browser();
        String bigId = Page.of(big.get(tomcat.port(), "/set?a=1")).id();
        MemcachedInspector node = MEMCACHED.inspector(nodeOf(bigId));
        await().atMost(10, SECONDS).until(() -> node.get(bigId) != null); // stored while small
        List<WebClient> neighbours = browsersWithSessionsOn(nodeOf(bigId), NEIGHBOURS, tomcat);
        List<String> ids = new ArrayList<>();
        neighbours.forEach(browser -> ids.add(browser.cookie("JSESSIONID")));
        long connections = totalConnections();

        Page grown = Page.of(big.get(tomcat.port(), "/setBytes?name=big&size=" + OVERSIZED_BYTES));
        assertEquals(200, grown.response().status(), "sticky: the request that made it too large succeeds");
        for (int round = 2; round <= ROUNDS + 1; round++) {
            for (int i = 0; i < NEIGHBOURS; i++) {
                Page page = Page.of(neighbours.get(i).get(tomcat.port(), "/"));
                assertEquals(ids.get(i), page.id(), "a neighbour keeps its id (and node)");
                assertEquals(round, page.counter(), "a neighbour keeps its state");
            }
            Page page = Page.of(big.get(tomcat.port(), "/"));
            assertEquals(bigId, page.id());
            assertEquals(round, page.counter(), "the oversized session goes on in this Tomcat's memory");
            assertEquals("1", page.get("a"));
        }

        for (String id : ids) {
            await("memcached has every neighbour's newest state").atMost(10, SECONDS)
                    .until(() -> StoredAttributes.counter(node, id), is(ROUNDS + 1));
        }
        await("the log names the session and its largest attribute").atMost(10, SECONDS)
                .until(() -> !log.warningsContaining(bigId, "maxSessionSize", "big (1100").isEmpty());
        assertNull(node.get(bigId), "its older stored copy is gone: a failover must not roll its user back silently");
        assertEquals(connections, totalConnections(), "no connection to memcached was dropped and reopened");
        long oversized = tomcat.manager().getMsmStatNumOversizedSessions();
        if (async) {
            assertTrue(oversized >= 1 && oversized <= ROUNDS + 1, "writes merged, each refused one counts: " + oversized);
        } else {
            assertEquals(ROUNDS + 1, oversized, "each refused write counts");
        }
        assertEquals(0, tomcat.manager().getMsmStatNumBackupFailures());
        List<String> warnings = log.warningsContaining(bigId, "maxSessionSize", "big (1100");
        assertTrue(warnings.size() <= 2, "rate-limited: " + warnings);
    }

    @Test
    void nonStickyOversizedChangeIsRefusedAndThePreviousVersionStays() throws Exception {
        String nodes = MEMCACHED.memcachedNodes("n1", "n2");
        EmbeddedTomcat tc1 = tomcats.start("tc1", nodes, "sticky", "false");
        EmbeddedTomcat tc2 = tomcats.start("tc2", nodes, "sticky", "false");
        WebClient big = browser();
        String bigId = Page.of(big.get(tc1.port(), "/set?a=1")).id();
        String copyNode = nodeOf(bigId).equals("n1") ? "n2" : "n1";
        await().atMost(10, SECONDS).until(() -> MEMCACHED.inspector(copyNode).get("bak:" + bigId) != null);
        List<WebClient> neighbours = browsersWithSessionsOn(nodeOf(bigId), NEIGHBOURS, tc1);
        List<String> ids = new ArrayList<>();
        neighbours.forEach(browser -> ids.add(browser.cookie("JSESSIONID")));
        long connections = totalConnections();

        for (int round = 2; round <= ROUNDS + 1; round++) {
            EmbeddedTomcat tomcat = round % 2 == 0 ? tc2 : tc1;
            WebClient.Response refused = big.get(tomcat.port(), "/setBytes?name=big&size=" + OVERSIZED_BYTES);
            assertEquals(507, refused.status(), refused.body());
            Page page = Page.of(big.get(tomcat.port(), "/read"));
            assertEquals(bigId, page.id());
            assertEquals("1", page.get("a"), "the version before the refused change");
            assertNull(page.get("big"), page.toString());
            for (int i = 0; i < NEIGHBOURS; i++) {
                Page neighbour = Page.of(neighbours.get(i).get(tomcat.port(), "/"));
                assertEquals(ids.get(i), neighbour.id(), "a neighbour keeps its id (and node)");
                assertEquals(round, neighbour.counter(), "a neighbour keeps its state");
            }
        }

        assertEquals(Map.of("a", "1"), StoredAttributes.of(MEMCACHED.inspector(copyNode).get("bak:" + bigId)),
                "the backup copy keeps the previous version too");
        assertEquals(connections, totalConnections(), "no connection to memcached was dropped and reopened");
        assertEquals(ROUNDS, tc1.manager().getMsmStatNumOversizedSessions()
                + tc2.manager().getMsmStatNumOversizedSessions());
        assertEquals(0, tc1.manager().getMsmStatNumWriteConflicts() + tc2.manager().getMsmStatNumWriteConflicts());
        assertFalse(log.warningsContaining(bigId, "maxSessionSize", "big (1100").isEmpty(), log.warnings().toString());
    }

    @Test
    void stickyClientsWithoutCookieAndEmptySessionsCostNoItemNorAnyCommand() throws Exception {
        EmbeddedTomcat tomcat = tomcats.start("tc1", MEMCACHED.memcachedNodes("n1", "n2"), "maxInactiveInterval", "1");
        WebClient client = browser();
        Map<String, Long> before = commands();
        for (int i = 0; i < 500; i++) {
            client.clearCookies();
            assertNotNull(Page.of(client.get(tomcat.port(), "/read")).id(), "an empty session is created");
        }
        await().atMost(10, SECONDS).until(() -> tomcat.manager().getActiveSessions(), is(0));
        assertEquals(before, commands(), "neither their requests nor their expiry sent anything to memcached");
        for (String nodeId : List.of("n1", "n2")) {
            assertEquals(0, MEMCACHED.inspector(nodeId).stat("curr_items"), nodeId);
        }
        String id = Page.of(client.get(tomcat.port(), "/set?a=1")).id();
        assertEquals(Map.of("a", "1"), StoredAttributes.of(MEMCACHED.inspector(nodeOf(id)).get(id)),
                "stored once it holds something");
    }

    @Test
    void nonStickyClientsWithoutCookieAndEmptySessionsCostOneSmallItemEach() throws Exception {
        String nodes = MEMCACHED.memcachedNodes("n1", "n2");
        EmbeddedTomcat tc1 = tomcats.start("tc1", nodes, "sticky", "false");
        EmbeddedTomcat tc2 = tomcats.start("tc2", nodes, "sticky", "false");
        WebClient client = browser();
        for (int i = 0; i < 499; i++) {
            client.clearCookies();
            client.get(tc1.port(), "/read");
        }
        client.clearCookies();
        String id = Page.of(client.get(tc1.port(), "/read")).id();
        assertEquals(id, Page.of(client.get(tc2.port(), "/read")).id(), "another Tomcat finds the empty session");

        int items = 0;
        for (String nodeId : List.of("n1", "n2")) {
            MemcachedInspector node = MEMCACHED.inspector(nodeId);
            List<String> keys = node.keys();
            items += keys.size();
            for (String key : keys) {
                assertFalse(key.startsWith("bak:"), "no backup copy of a session that holds nothing: " + key);
                assertTrue(node.get(key).length < 200, key + ": " + node.get(key).length + " bytes");
            }
        }
        assertEquals(500, items, "one item per session");

        Page changed = Page.of(client.get(tc2.port(), "/set?a=1"));
        assertEquals(id, changed.id());
        String copyNode = nodeOf(id).equals("n1") ? "n2" : "n1";
        await().atMost(10, SECONDS).until(
                () -> StoredAttributes.of(MEMCACHED.inspector(copyNode).get("bak:" + id)).get("a"), is("1"));
    }

    @Test
    void ofSeveralSessionCookiesTheFirstOneMemsessionCouldHaveMadeIsTakenOver() throws Exception {
        String nodes = MEMCACHED.memcachedNodes("n1", "n2");
        EmbeddedTomcat tc1 = tomcats.start("tc1", nodes);
        EmbeddedTomcat tc2 = tomcats.start("tc2", nodes);
        WebClient client = browser();
        String id = Page.of(client.get(tc1.port(), "/")).id();
        // as a browser orders them: this application's cookie, then one of an application on a shorter path
        Map<String, String> otherApplicationsCookie = Map.of("Cookie",
                "JSESSIONID=" + String.format("%032X-%s.tc1", 7, nodeOf(id)));

        Page takenOver = Page.of(client.request(tc2.port(), "GET", "/", otherApplicationsCookie, null));
        assertEquals(id.replace(".tc1", ".tc2"), takenOver.id());
        assertEquals(2, takenOver.counter());
    }

    /** 100 session ids memsession could have made, on node n1 and route tc1, none of them stored. */
    private static Map<String, String> hundredSessionCookies() {
        StringJoiner cookies = new StringJoiner("; ");
        for (int i = 0; i < 100; i++) {
            cookies.add(String.format("JSESSIONID=%032X-n1.tc1", i + 1));
        }
        return Map.of("Cookie", cookies.toString());
    }

    private static Map<String, Long> commands() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String nodeId : List.of("n1", "n2")) {
            for (String stat : COMMAND_STATS) {
                counts.put(nodeId + " " + stat, MEMCACHED.inspector(nodeId).stat(stat));
            }
        }
        return counts;
    }

    @ParameterizedTest(name = "sticky={0}")
    @ValueSource(booleans = {true, false})
    void ignoredRequestCausesNoStoreTrafficWhateverCookiesItCarries(boolean sticky) throws Exception {
        // with an authenticator, which looks for the session too, as Tomcat's distribution has for every context
        EmbeddedTomcat tomcat = tomcats.add(EmbeddedTomcat.start("tc1", "BASIC", ManagerAttributes.configuration(
                MEMCACHED.memcachedNodes("n1", "n2"), "sticky", String.valueOf(sticky), "requestUriIgnorePattern",
                ".*\\.gif$")));
        WebClient client = browser();
        Map<String, Long> before = commands();
        WebClient.Response ignored = client.request(tomcat.port(), "GET", "/pixel.gif", hundredSessionCookies(),
                null);
        assertEquals(200, ignored.status());
        assertEquals(before, commands(), "no memcached command at all");

        WebClient.Response used = client.request(tomcat.port(), "GET", "/read", hundredSessionCookies(), null);
        assertEquals(200, used.status());
        long gets = MEMCACHED.inspector("n1").stat("cmd_get") + MEMCACHED.inspector("n2").stat("cmd_get")
                - before.get("n1 cmd_get") - before.get("n2 cmd_get");
        // the one id it settled on: sticky mode reads it on each node, with the node part changed (its session may
        // have moved off n1); non-sticky mode reads it on its node and, with the node part changed, on its copy's
        // node (it may have been restored there), then looks for its backup copy (its node may have lost it)
        assertEquals(sticky ? 2 : 3, gets, "a request that uses its session reads the one id it settled on, and no"
                + " other");
    }
}
