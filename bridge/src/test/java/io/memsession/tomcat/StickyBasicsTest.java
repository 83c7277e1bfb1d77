package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.catalina.Context;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.WebClient;

/** Basic sticky-mode behaviour: one Tomcat with jvmRoute {@code app1}, one memcached node {@code n1}. */
class StickyBasicsTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedProcess memcached = MEMCACHED.process("n1");
    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    /** The Tomcat the test started last. */
    private EmbeddedTomcat tomcat;
    @AutoClose
    private final WebClient browser = new WebClient();


    private EmbeddedTomcat startTomcat(String... attributes) throws Exception {
        return startTomcat(context -> { }, attributes);
    }

    private EmbeddedTomcat startTomcat(Consumer<Context> contextSetup, String... attributes) throws Exception {
        Consumer<MemcachedSessionManager> configuration =
                ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1"), attributes);
        tomcat = tomcats.add(EmbeddedTomcat.start("app1", null, contextSetup, manager -> {
            manager.setRequestUriIgnorePattern(".*\\.(png|gif|jpg|css|js|ico)$");
            configuration.accept(manager);
        }));
        return tomcat;
    }

    private Page get(String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    @Test
    void newSessionIdNamesNodeAndRouteAndIsStoredUnderItsId() throws Exception {
        startTomcat();
        Page page = get("/");
        assertTrue(page.id().matches("[0-9A-F]{32}-n1\\.app1"), page.id());
        assertEquals(page.id(), page.response().setCookieValue("JSESSIONID"));
        assertNotNull(inspector.get(page.id()), "memcached holds the session under its id");
        assertEquals(1, inspector.stat("cmd_set"));
    }

    @Test
    void sessionCarriesItsCounterAcrossRequests() throws Exception {
        startTomcat();
        assertEquals(1, get("/").counter());
        assertEquals(2, get("/").counter());
        assertEquals(3, get("/").counter());
        assertEquals(3, inspector.stat("cmd_set"));
    }

    @Test
    void removedAttributeStaysRemovedAfterATomcatRestart() throws Exception {
        startTomcat();
        get("/set?a=1&b=2");
        get("/remove?name=a");
        tomcat.close();
        startTomcat();
        Page page = get("/read");
        assertNull(page.get("a"), page.toString());
        assertEquals("2", page.get("b"));
    }

    @Test
    void sessionSurvivesAContextReload() throws Exception {
        startTomcat();
        String id = get("/").id();
        tomcat.reloadContext();
        Page page = get("/");
        assertEquals(id, page.id());
        assertEquals(2, page.counter());
    }

    @Test
    void aStoppingTomcatFindsNoThreadLeftBehind() throws Exception {
        startTomcat();
        get("/");
        try (LogRecorder catalina = LogRecorder.of("org.apache.catalina.loader")) {
            tomcat.close();
            tomcat = null;

            assertEquals(List.of(), catalina.warningsContaining("thread"),
                    "Tomcat's leak detection finds no thread the web application's manager left running");
        }
    }

    @Test
    void singleNodeWithoutIdKeepsTomcatIds() throws Exception {
        startTomcat("memcachedNodes", memcached.address());
        Page first = get("/");
        assertFalse(first.id().contains("-"), first.id());
        tomcat.close();
        startTomcat("memcachedNodes", memcached.address());
        Page second = get("/");
        assertEquals(first.id(), second.id());
        assertEquals(2, second.counter());
    }

    @Test
    void requestedIdThatMemsessionCannotHaveMadeGetsAFreshSession() throws Exception {
        startTomcat();
        browser.setCookie("JSESSIONID", "12345");
        Page page = get("/");
        assertTrue(page.id().contains("-n1"), page.id());
        assertEquals(1, page.counter());
        assertEquals(0, inspector.stat("cmd_get"), "a malformed id is never looked up");
    }

    @Test
    void urlRewrittenSessionIsStoredToo() throws Exception {
        startTomcat(context -> context.setCookies(false));
        Page first = get("/");
        assertNull(first.response().setCookieValue("JSESSIONID"));
        assertNotNull(inspector.get(first.id()));
        Page second = get("/;jsessionid=" + first.id());
        assertEquals(first.id(), second.id());
        assertEquals(2, second.counter());
    }

    @Test
    void invalidatedSessionIsDeletedAtOnce() throws Exception {
        startTomcat();
        String id = get("/").id();
        get("/invalidate");
        assertNull(inspector.get(id));
        assertNotEquals(id, get("/").id());
    }

    @Test
    void expiredSessionIsDeletedAndItsIdGivesANewSession() throws Exception {
        startTomcat("maxInactiveInterval", "1");
        String id = get("/").id();
        await().atMost(10, SECONDS).until(() -> inspector.get(id) == null);
        Page page = get("/");
        assertNotEquals(id, page.id());
        assertEquals(1, page.counter());
    }

    @Test
    void readOnlyRequestsKeepTheStoredCopyAlive() throws Exception {
        startTomcat("maxInactiveInterval", "3");
        String id = get("/").id();
        long end = System.currentTimeMillis() + 8000;
        while (System.currentTimeMillis() < end) { // longer than the first copy's lifetime (3 s + grace)
            assertEquals(id, get("/read").id());
            Thread.sleep(500);
            assertNotNull(inspector.get(id), "stored copy of a session in use");
        }
        assertTrue(tomcat.manager().getMsmStatNumExpirationRefreshes() > 0);
        assertEquals(1, inspector.stat("cmd_set"), "refreshes touch; they do not rewrite");
        await().atMost(15, SECONDS).until(() -> inspector.get(id) == null);
    }

    @Test
    void storedCopyOutlivesTheSessionByTomcatsOwnExpiryPeriodWithDefaultSettings() throws Exception {
        tomcat = tomcats.add(EmbeddedTomcat.start("app1", null, context -> context.setBackgroundProcessorDelay(-1),
                manager -> {
                    ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1"), "maxInactiveInterval", "30")
                            .accept(manager);
                    manager.setProcessExpiresFrequency(6);
                }));
        String id = get("/").id();
        // Tomcat's defaults: the Context inherits the Engine's 10 s background delay, and expires sessions every
        // 6th run; the copy lives 30 s plus (6 + 1) x 10 s. With msm's formula the grace was negative here.
        long ttl = inspector.expirations().get(id) - inspector.stat("time");
        assertTrue(ttl >= 30 + 70 - 2 && ttl <= 30 + 70 + 1, "memcached expiration in " + ttl + " s");
    }

    @Test
    void ignoredRequestsCauseNoStoreTraffic() throws Exception {
        startTomcat();
        String id = get("/").id();
        Map<String, String> before = inspector.stats();
        WebClient.Response gif = browser.get(tomcat.port(), "/a.gif?v=1");
        assertEquals(200, gif.status());
        assertTrue(gif.body().contains(id), "the application still sees its session");
        Map<String, String> after = inspector.stats();
        assertEquals(before.get("cmd_get"), after.get("cmd_get"));
        assertEquals(before.get("cmd_set"), after.get("cmd_set"));
        assertEquals(before.get("cmd_touch"), after.get("cmd_touch"));
        assertNull(gif.setCookieValue("JSESSIONID"));
    }

    @Test
    void unchangedSessionIsNotWrittenAgain() throws Exception {
        startTomcat();
        get("/set?a=1");
        get("/read");
        get("/noSession");
        get("/set?a=1");
        assertEquals(1, inspector.stat("cmd_set"));
        // Tomcat's authenticator looks the session up on every request, which counts as an access
        assertEquals(1, tomcat.manager().getMsmStatNumNoAttributesAccess());
        assertEquals(2, tomcat.manager().getMsmStatNumNoSessionModification());
    }

    @Test
    void sessionCreatedWhileMemcachedIsDownGetsANodeWhenItIsBack() throws Exception {
        startTomcat();
        memcached.kill();
        await().atMost(10, SECONDS).until(() -> !tomcat.manager().engine().canLoad("X-n1"));
        Page first = get("/");
        assertFalse(first.id().contains("-"), first.id());
        memcached.restart();
        await().atMost(10, SECONDS).until(() -> tomcat.manager().engine().canLoad("X-n1"));
        Page second = get("/");
        assertTrue(second.id().startsWith(first.id().substring(0, 32) + "-n1"), second.id());
        assertEquals(second.id(), second.response().setCookieValue("JSESSIONID"));
        assertEquals(2, second.counter());
        assertNotNull(inspector.get(second.id()));
    }

    @Test
    void disabledManagerKeepsSessionsInMemoryOnly() throws Exception {
        startTomcat("enabled", "false");
        Page page = get("/");
        assertFalse(page.id().contains("-"));
        assertEquals(2, get("/").counter());
        assertEquals(0, inspector.stat("cmd_set"));
        tomcat.manager().setEnabled("true");
        Page enabled = get("/");
        assertTrue(enabled.id().contains("-n1"), enabled.id());
        assertEquals(3, enabled.counter());
        assertNotNull(inspector.get(enabled.id()));
    }
}
