package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * What is stored, and what happens to what cannot be: asynchronous requests, the attribute filter, attributes that
 * cannot be serialized, and stored sessions that cannot be read back. Tomcats {@code tc1}/{@code tc2}, memcached
 * node {@code n1}; a session read by {@code tc2} proves what memcached held.
 */
class SessionContentTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");

    private EmbeddedTomcat start(String jvmRoute, String... attributes) throws Exception {
        return tomcats.start(jvmRoute, MEMCACHED.memcachedNodes("n1"), attributes);
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    @Test
    void asyncRequestIsStoredWhenItCompletes() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");

        Page created = get(tc1, "/async");
        assertEquals(1, created.counter());
        // the write follows the async completion, which may come a moment after the response
        await().atMost(5, SECONDS).until(() -> StoredAttributes.counter(inspector, created.id()), is(1));
        assertEquals(2, get(tc1, "/async").counter());
        await().atMost(5, SECONDS).until(() -> StoredAttributes.counter(inspector, created.id()), is(2));

        assertEquals(2, get(tc2, "/read").counter());
    }

    @Test
    void asyncRequestDispatchedAgainIsFinishedOnce() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        Page created = get(tc1, "/");
        long requestsBefore = tc1.manager().getMsmStatNumRequestsWithSession();

        Page dispatched = get(tc1, "/asyncDispatch");
        assertEquals(created.id(), dispatched.id());
        assertEquals(2, dispatched.counter());
        await().atMost(5, SECONDS).until(() -> StoredAttributes.counter(inspector, created.id()), is(2));
        await().atMost(5, SECONDS).until(tc1.manager()::getMsmStatNumRequestsWithSession,
                is(requestsBefore + 1));
        get(tc1, "/read");
        assertEquals(requestsBefore + 2, tc1.manager().getMsmStatNumRequestsWithSession(),
                "the dispatched request counted once");
    }

    @Test
    void onlyAttributesMatchingTheFilterAreStored() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sessionAttributeFilter", "^(a|counter)$");
        EmbeddedTomcat tc2 = start("tc2", "sessionAttributeFilter", "^(a|counter)$");
        get(tc1, "/set?a=1&b=2");
        assertEquals("2", get(tc1, "/read").get("b"), "the application keeps every attribute");
        long writes = inspector.stat("cmd_set");
        get(tc1, "/set?b=3");
        assertEquals(writes, inspector.stat("cmd_set"), "a change to an attribute that is not stored writes nothing");

        Page onTc2 = get(tc2, "/read");

        assertEquals("1", onTc2.get("a"));
        assertNull(onTc2.get("b"), onTc2.toString());
    }

    @Test
    void attributeThatCannotBeSerializedIsSkippedWithOneWarning() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        get(tc1, "/set?a=1");
        assertEquals("unserializable", get(tc1, "/setUnserializable?name=thing").get("thing"));
        assertEquals(1, get(tc1, "/").counter());
        get(tc1, "/setUnserializable?name=thing");

        Page onTc2 = get(tc2, "/read");

        assertEquals("1", onTc2.get("a"));
        assertEquals(1, onTc2.counter());
        assertNull(onTc2.get("thing"));
        List<String> warnings = log.warningsContaining("'thing'", TestServlet.Unserializable.class.getName());
        assertEquals(1, warnings.size(), log.warnings().toString());
    }

    @Test
    void unreadableStoredSessionGivesANewSessionAndIsDeleted() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        String planted = "0123456789ABCDEF0123456789ABCDEF-n1.tc1";
        // memsession's format, of a version it cannot read: what is not memsession's is left (MsmImportTest)
        inspector.set(planted, "MSES\u0009 not a session".getBytes(StandardCharsets.US_ASCII), 0);
        browser.setCookie("JSESSIONID", planted);

        Page page = get(tc1, "/");

        assertNotEquals(planted, page.id());
        assertEquals(page.id(), page.response().setCookieValue("JSESSIONID"));
        assertEquals(1, page.counter());
        assertNull(inspector.get(planted), "the unreadable copy is deleted");
        assertEquals(1, log.warningsContaining(planted).size(), log.warnings().toString());
        assertEquals(1, tc1.manager().getMsmStatNumUnreadableSessions());
    }

    @Test
    void classRefusedByTheAllowListGivesANewSession() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "classAllowList", "com.example.*");
        EmbeddedTomcat tc2 = start("tc2", "classAllowList", "com.example.*");
        String id = get(tc1, "/listener").id();

        Page onTc2 = get(tc2, "/");

        assertNotEquals(id.substring(0, 32), onTc2.id().substring(0, 32), "a new session");
        assertEquals(1, onTc2.counter());
        assertNull(onTc2.get("listener"));
        assertNull(inspector.get(id), "the refused copy is deleted");
        String refusedClass = TestServlet.ActivationRecorder.class.getName();
        assertEquals(1, log.warningsContaining(id, refusedClass).size(), log.warnings().toString());
    }

    @Test
    void classOnTheAllowListIsRead() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "classAllowList", "io.memsession.tomcat.*");
        EmbeddedTomcat tc2 = start("tc2", "classAllowList", "io.memsession.tomcat.*");
        String id = get(tc1, "/listener").id();

        Page onTc2 = get(tc2, "/");

        assertEquals(id.replace(".tc1", ".tc2"), onTc2.id());
        assertEquals("recorder", onTc2.get("listener"));
        assertEquals(1, onTc2.counter());
        assertTrue(log.warnings().isEmpty(), log.warnings().toString());
        assertNotNull(inspector.get(onTc2.id()));
    }
}
