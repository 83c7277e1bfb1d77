package io.memsession.tomcat;

import static io.memsession.tomcat.MemcachedCluster.nodeOf;
import static io.memsession.tomcat.MemcachedCluster.otherOf;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * Non-sticky sessions (msm-behaviour 8.2 scenarios 27-41): every request may land on another Tomcat. Two Tomcats
 * {@code tc1} and {@code tc2} share memcached nodes {@code n1} and {@code n2} ({@code n3} where a scenario needs
 * three); one browser (one cookie jar) talks to both.
 */
class NonStickyTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2", "n3");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();

    /** A non-sticky Tomcat on nodes n1 and n2 unless {@code attributes} (name, value, ...) say otherwise. */
    private EmbeddedTomcat start(String jvmRoute, String... attributes) throws Exception {
        return startWithLogin(jvmRoute, null, attributes);
    }

    /** A Tomcat whose {@code /protected/*} needs a BASIC or FORM login. */
    private EmbeddedTomcat startWithLogin(String jvmRoute, String authMethod, String... attributes)
            throws Exception {
        String[] all = new String[attributes.length + 2];
        all[0] = "sticky";
        all[1] = "false";
        System.arraycopy(attributes, 0, all, 2, attributes.length);
        EmbeddedTomcat tomcat = EmbeddedTomcat.start(jvmRoute, authMethod,
                ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1", "n2"), all));
        tomcats.add(tomcat);
        return tomcat;
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    private static MemcachedInspector node(String id) {
        return MEMCACHED.inspector(nodeOf(id));
    }

    /** Backup copies are written off the request path: waits until {@code node} holds the session's. */
    private static void awaitCopy(MemcachedInspector node, String id) {
        await().atMost(5, SECONDS).until(() -> node.get("bak:" + id) != null);
    }

    // ---------------------------------------------------------------- one session, many Tomcats

    /**
     * An application that answers before it is done (Spring MVC's {@code @ResponseBody} flushes its answer, with its
     * length declared): the answer leaves only after the session is written, so the client's next request, on
     * another Tomcat right away, sees the change.
     */
    @Test
    void anAnswerFlushedBeforeTheSessionChangesLeavesAfterTheChangeIsWritten() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        String id = get(tc1, "/").id();

        WebClient.Response answer = browser.get(tc1.port(), "/answerFirst?color=green&millis=500");
        assertEquals(200, answer.status());
        Page next = get(tc2, "/read");
        assertEquals(id, next.id());
        assertEquals("green", next.get("color"), "the other Tomcat reads the change the answer acknowledged");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "all", "auto", "uriPattern:GET /.*"})
    void everyRequestSeesTheLastChangeWhicheverTomcatMadeIt(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", lockingMode);
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", lockingMode);

        String id = get(tc1, "/").id();
        assertEquals(2, get(tc2, "/").counter());
        assertEquals(3, get(tc1, "/").counter(), "tc1 kept no stale copy of the session");
        get(tc2, "/set?color=blue");
        Page read = get(tc1, "/read");
        assertEquals("blue", read.get("color"));
        assertEquals(3, read.counter());
        get(tc1, "/remove?name=color");
        assertNull(get(tc2, "/read").get("color"), "a removed attribute stays removed");

        assertEquals(id, get(tc2, "/read").id(), "non-sticky sessions keep their id on every Tomcat");
        assertEquals(0, tc1.manager().getActiveSessions(), "no session stays in a Tomcat between requests");
        assertEquals(0, tc2.manager().getActiveSessions());
    }

    @Test
    void sessionOnItsNodeAndBackupCopyOnTheNext() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        Page created = get(tc1, "/");
        String id = created.id();
        MemcachedInspector primary = node(id);
        MemcachedInspector next = MEMCACHED.inspector(otherOf(nodeOf(id)));

        assertNotNull(primary.get(id));
        awaitCopy(next, id);
        assertNull(next.get(id));
        assertNull(primary.get("bak:" + id));
        assertNull(primary.get("lock:" + id), "lockingMode none takes no lock");
    }

    @Test
    void withoutCopiesBeforeTheResponseABusySessionsCopiesAreMergedAndTheCopyCatchesUp() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "backupCopyBeforeResponse", "false");
        String id = get(tc1, "/").id();
        MemcachedInspector primary = node(id);
        MemcachedInspector next = MEMCACHED.inspector(otherOf(nodeOf(id)));
        awaitCopy(next, id);
        long copiesBefore = next.stat("cmd_set");

        int changes = 30;
        long start = System.nanoTime();
        for (int i = 0; i < changes; i++) {
            get(tc1, "/");
        }
        long burstMillis = (System.nanoTime() - start) / 1_000_000;

        await().atMost(5, SECONDS).until(() -> Arrays.equals(primary.get(id), next.get("bak:" + id)));
        long copies = next.stat("cmd_set") - copiesBefore;
        assertTrue(copies < changes && copies <= burstMillis / 50 + 2,
                copies + " copy writes for " + changes + " changes in " + burstMillis + " ms: at most one per 50 ms");
        assertEquals(1 + changes, get(tc1, "/read").counter());
    }

    @Test
    void theBinaryProtocolWorksTheSame() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "memcachedProtocol", "binary", "lockingMode", "all");
        EmbeddedTomcat tc2 = start("tc2", "memcachedProtocol", "binary", "lockingMode", "all");
        String id = get(tc1, "/").id();
        assertEquals(2, get(tc2, "/").counter());
        assertEquals(2, get(tc1, "/read").counter());
        assertNull(node(id).get("lock:" + id), "the lock, taken with add, was released with delete");
        awaitCopy(MEMCACHED.inspector(otherOf(nodeOf(id))), id);

        get(tc2, "/invalidate");
        assertNull(node(id).get(id));
        Page fresh = get(tc1, "/");
        assertNotEquals(id, fresh.id());
        assertEquals(1, fresh.counter());
    }

    @Test
    void storeRoundTripsPerRequest() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "memcachedNodes", MEMCACHED.memcachedNodes("n1"));
        MemcachedInspector n1 = MEMCACHED.inspector("n1");

        String id = get(tc1, "/").id();
        assertEquals(1, n1.stat("cmd_set"), "a new session: one write");
        assertEquals(0, n1.stat("cmd_get"));

        get(tc1, "/read");
        assertEquals(1, n1.stat("cmd_get"), "a request that reads: one read");
        assertEquals(1, n1.stat("cmd_set"), "and no write");
        await().atMost(5, SECONDS).until(() -> n1.stat("touch_hits") == 1); // its expiration moves on

        get(tc1, "/");
        assertEquals(2, n1.stat("cmd_get"), "a request that changes the session: one read");
        assertEquals(1, n1.stat("cas_hits"), "and one compare-and-set write");
        assertEquals(2, n1.stat("cmd_set"), "memcached counts a cas as a set too");

        // Tomcat's authenticator looks for the session's principal on every request with a session id
        get(tc1, "/noSession");
        assertEquals(3, n1.stat("cmd_get"), "a request that does not use its session: one read");
        assertEquals(1, n1.stat("cas_hits"), "and no write");
        assertEquals(2, n1.stat("cmd_set"));
        // memcached's key dump skips an item another connection holds, as the off-path touch may at this moment
        await().atMost(5, SECONDS).untilAsserted(
                () -> assertEquals(List.of(id), n1.keys(), "a single node keeps no backup copy"));
    }

    @Test
    void lockingAddsTheLockToTheSameRoundTrips() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "memcachedNodes", MEMCACHED.memcachedNodes("n1"), "lockingMode", "all");
        MemcachedInspector n1 = MEMCACHED.inspector("n1");
        String id = get(tc1, "/").id();

        get(tc1, "/");
        assertEquals(3, n1.stat("cmd_set"), "the session's creation, the lock taken with add, the cas write");
        assertEquals(1, n1.stat("cmd_get"));
        assertEquals(1, n1.stat("cas_hits"));
        assertEquals(1, n1.stat("delete_hits"), "the lock released");
        assertNull(n1.get("lock:" + id));
        assertEquals(2, get(tc1, "/read").counter());
        assertNull(n1.get("lock:" + id));
    }

    @Test
    void lockingWorksWithASingleNodeWithoutNodeId() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "memcachedNodes", MEMCACHED.process("n1").address(), "lockingMode", "all");
        EmbeddedTomcat tc2 = start("tc2", "memcachedNodes", MEMCACHED.process("n1").address(), "lockingMode", "all");
        String id = get(tc1, "/").id();
        assertFalse(id.contains("-"), "no node id in " + id);
        assertEquals(2, get(tc2, "/").counter());
        assertEquals(3, get(tc1, "/").counter());
        assertNull(MEMCACHED.inspector("n1").get("lock:" + id));
    }

    @Test
    void asynchronousRequestsHaveTheirChangesStoredBeforeTheyAnswer() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "all");
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", "all");

        String id = get(tc1, "/async").id(); // the session is created and changed on an application thread
        assertEquals(2, get(tc2, "/async").counter());
        assertEquals(3, get(tc1, "/asyncDispatch").counter());
        assertEquals(4, get(tc2, "/").counter());
        assertEquals(5, get(tc1, "/async").counter());

        assertEquals(id, get(tc2, "/read").id());
        assertNull(node(id).get("lock:" + id), "every request released its lock");
        assertEquals(0, tc1.manager().getActiveSessions(), "no session stays in a Tomcat between requests");
        assertEquals(0, tc2.manager().getActiveSessions());
    }

    // ---------------------------------------------------------------- ignored requests, ids, expiry

    @Test
    void ignoredRequestsLeaveTheStoreAlone() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "requestUriIgnorePattern", ".*\\.gif$");
        String id = get(tc1, "/").id();
        MemcachedInspector n1 = MEMCACHED.inspector("n1");
        MemcachedInspector n2 = MEMCACHED.inspector("n2");
        await().atMost(5, SECONDS).until(() -> n1.stat("cmd_set") + n2.stat("cmd_set") == 2); // session and copy
        n1.resetStats();
        n2.resetStats();

        WebClient.Response pixel = browser.get(tc1.port(), "/pixel.gif");
        assertEquals(200, pixel.status());
        assertTrue(pixel.setCookies().isEmpty(), pixel.toString());
        assertEquals(0, n1.stat("cmd_get") + n2.stat("cmd_get") + n1.stat("cmd_set") + n2.stat("cmd_set"));
        assertEquals(0, tc1.manager().getActiveSessions(), "no local copy left behind");
        assertEquals(id, get(tc1, "/read").id());
    }

    @Test
    void requestedSessionIdIsValidWithCookiesAndUrlRewriting() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        String id = get(tc1, "/").id();
        assertEquals("true", get(tc2, "/info").get("requestedSessionIdValid"));

        browser.clearCookies();
        Page rewritten = get(tc2, "/info;jsessionid=" + id);
        assertEquals(id, rewritten.get("requestedSessionId"));
        assertEquals("true", rewritten.get("requestedSessionIdValid"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void changedIdMovesTheStoredSession(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", lockingMode);
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", lockingMode);
        String oldId = get(tc1, "/").id();
        awaitCopy(MEMCACHED.inspector(otherOf(nodeOf(oldId))), oldId);

        Page changed = get(tc2, "/changeId");
        String newId = changed.id();
        assertNotEquals(oldId, newId);
        assertEquals(newId, changed.response().setCookieValue("JSESSIONID"));
        assertNull(node(oldId).get(oldId), "the old key is gone");
        assertNull(MEMCACHED.inspector(otherOf(nodeOf(oldId))).get("bak:" + oldId), "and its copy");
        assertNull(node(oldId).get("lock:" + oldId), "and its lock");
        assertNotNull(node(newId).get(newId));
        assertEquals(2, get(tc1, "/").counter());
    }

    /**
     * Without a lock, an id change (a login) on one Tomcat while another Tomcat changes the session: the change
     * answered 200 stays in memcached under the old id, and the id change, made to the session as it was before,
     * is refused with 409.
     */
    @Test
    void anIdChangeNeverDeletesAChangeAnotherTomcatMadeMeanwhile() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "none");
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", "none");
        String id = get(tc1, "/").id();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<WebClient.Response> changeId = CompletableFuture.supplyAsync(() -> {
                try (WebClient client = new WebClient()) {
                    client.setCookie("JSESSIONID", id);
                    return client.get(tc1.port(), "/changeId?millis=1500");
                }
            }, pool);
            await().atMost(5, SECONDS).until(() -> tc1.manager().getActiveSessions() == 1); // it read the session

            assertEquals(2, request(tc2, id, "/count").counter());
            assertFalse(changeId.isDone(), "the change came while the id change was under way");
            WebClient.Response refused = changeId.get();
            assertEquals(409, refused.status(), refused.toString());
        } finally {
            pool.shutdownNow();
        }
        Page after = request(tc2, id, "/read");
        assertEquals(id, after.id());
        assertEquals(2, after.counter());
        assertEquals(1, tc1.manager().getMsmStatNumWriteConflicts());
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "all", "auto", "uriPattern:GET /.*"})
    void readingKeepsTheSessionAliveAndAnIdleOneExpires(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", lockingMode, "maxInactiveInterval", "2");
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", lockingMode, "maxInactiveInterval", "2");
        String id = get(tc1, "/").id();
        long end = System.currentTimeMillis() + 5000;
        for (int i = 0; System.currentTimeMillis() < end; i++) {
            Page read = get(i % 2 == 0 ? tc2 : tc1, "/read");
            assertEquals(id, read.id(), "alive after " + i + " reads");
            assertEquals(1, read.counter());
            Thread.sleep(500);
        }

        await().pollDelay(Duration.ofSeconds(2)).atMost(10, SECONDS).until(() -> node(id).get(id) == null);
        Page after = get(tc2, "/");
        assertNotEquals(id, after.id(), "an idle session expires after maxInactiveInterval");
        assertEquals(1, after.counter());
    }

    @Test
    void listenersHearOfCreationOnceAndOfInvalidationWhereItHappens() throws Exception {
        TestServlet.LIFECYCLE.clear();
        List<EmbeddedTomcat> both = new ArrayList<>();
        for (String route : List.of("tc1", "tc2")) {
            EmbeddedTomcat tomcat = EmbeddedTomcat.start(route, null,
                    context -> context.addApplicationListener(TestServlet.LifecycleRecorder.class.getName()),
                    ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1", "n2"), "sticky", "false"));
            tomcats.add(tomcat);
            both.add(tomcat);
        }
        String id = get(both.get(0), "/").id();
        get(both.get(1), "/");
        get(both.get(0), "/read");
        get(both.get(1), "/listener");
        assertEquals(List.of("created:" + id), TestServlet.LIFECYCLE, "created once, on the Tomcat that created it");

        assertEquals(200, browser.get(both.get(1).port(), "/invalidate").status());
        assertEquals(List.of("created:" + id, "destroyed:" + id), TestServlet.LIFECYCLE);
    }

    @Test
    void invalidationRemovesSessionCopyAndLock() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "auto");
        String id = get(tc1, "/").id();
        MemcachedInspector backupNode = MEMCACHED.inspector(otherOf(nodeOf(id)));
        awaitCopy(backupNode, id);

        assertEquals(200, browser.get(tc1.port(), "/invalidate").status());
        assertNull(node(id).get(id));
        assertNull(node(id).get("lock:" + id));
        assertNull(backupNode.get("bak:" + id));
        assertNotEquals(id, get(tc1, "/").id(), "the next request gets a new session");
    }

    @Test
    void sessionWithoutExpiryIsStoredWithoutExpiryAndRestoredFromItsCopy() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "all", "maxInactiveInterval", "-1");
        String id = get(tc1, "/").id();
        MemcachedInspector backupNode = MEMCACHED.inspector(otherOf(nodeOf(id)));
        awaitCopy(backupNode, id);
        assertEquals(-1L, node(id).expirations().get(id));
        assertEquals(-1L, backupNode.expirations().get("bak:" + id));

        MEMCACHED.process(nodeOf(id)).kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id));
        Page restored = get(tc1, "/");
        assertEquals(2, restored.counter());
        assertEquals(otherOf(nodeOf(id)), nodeOf(restored.id()));
    }

    // ---------------------------------------------------------------- memcached failover

    @Test
    void sessionIsRestoredFromItsCopyWhenItsNodeDies() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "all");
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", "all");
        String id = get(tc1, "/").id();
        get(tc2, "/set?color=blue");
        String deadNode = nodeOf(id);
        String survivor = otherOf(deadNode);
        await().atMost(5, SECONDS).until(() -> Arrays.equals(MEMCACHED.inspector(survivor).get("bak:" + id),
                node(id).get(id)));

        MEMCACHED.process(deadNode).kill();
        await().atMost(10, SECONDS).until(() -> !tc2.manager().engine().canLoad(id));
        Page restored = get(tc2, "/");
        String newId = restored.id();
        assertEquals(survivor, nodeOf(newId));
        assertEquals(id.replace("-" + deadNode, "-" + survivor), newId, "only the node part changes");
        assertEquals(newId, restored.response().setCookieValue("JSESSIONID"), "the browser learns the new id");
        assertEquals(2, restored.counter());
        assertEquals("blue", restored.get("color"));
        assertNotNull(MEMCACHED.inspector(survivor).get(newId), "the session lives on the survivor now");
        assertEquals(1, tc2.manager().getMsmStatNumMemcachedFailover());

        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id));
        assertEquals(3, get(tc1, "/").counter(), "the other Tomcat finds it under its new id");
        assertEquals(newId, get(tc1, "/read").id());
    }

    /** A session created on {@code tc1}, its copy written, and its node killed: both Tomcats know it is down. */
    private String sessionWhoseNodeDied(EmbeddedTomcat tc1, EmbeddedTomcat tc2) throws Exception {
        String id = get(tc1, "/").id();
        String survivor = otherOf(nodeOf(id));
        await().atMost(5, SECONDS).until(() -> Arrays.equals(MEMCACHED.inspector(survivor).get("bak:" + id),
                node(id).get(id)));
        MEMCACHED.process(nodeOf(id)).kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id)
                && !tc2.manager().engine().canLoad(id));
        return id;
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void aLateRequestWithTheOldIdContinuesTheSessionAnotherTomcatRestored(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", lockingMode);
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", lockingMode);
        String id = sessionWhoseNodeDied(tc1, tc2);

        Page restored = get(tc1, "/");
        assertEquals(2, restored.counter());
        // a parallel request of the same browser, sent before it learnt the new id, reaches the other Tomcat
        Page late = request(tc2, id, "/");
        assertEquals(restored.id(), late.id(), "the late request joins the restored session");
        assertEquals(3, late.counter(), "it continues from the first restore's change, not from the older copy");
        assertEquals(4, get(tc1, "/").counter());
        assertEquals(1, tc1.manager().getMsmStatNumMemcachedFailover());
        assertEquals(0, tc2.manager().getMsmStatNumMemcachedFailover(), "tc2 restored nothing");
    }

    @Test
    void ofTwoTomcatsRestoringASessionAtOnceTheSecondWriteIsRefused() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        EmbeddedTomcat tc2 = start("tc2");
        String id = sessionWhoseNodeDied(tc1, tc2);

        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            // restores the session from its copy, then is slow: tc2 restores it too, and writes first
            CompletableFuture<WebClient.Response> slow = CompletableFuture.supplyAsync(() -> {
                try (WebClient client = new WebClient()) {
                    client.setCookie("JSESSIONID", id);
                    return client.get(tc1.port(), "/slow?millis=1500");
                }
            }, pool);
            await().atMost(5, SECONDS).until(() -> tc1.manager().getMsmStatNumMemcachedFailover() == 1);
            Page fast = request(tc2, id, "/set?color=red");
            assertEquals(1, fast.counter(), "/set changes no counter");

            WebClient.Response refused = slow.get();
            assertEquals(409, refused.status(), "the slower restore must not overwrite the faster one's write");
            assertEquals(1, tc1.manager().getMsmStatNumWriteConflicts());
            String newId = fast.id();
            Page now = request(tc1, newId, "/read");
            assertEquals("red", now.get("color"), "the faster restore's change is kept");
            assertEquals(1, now.counter());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRequestRightAfterItsNodeDiedStillGetsItsSession() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "all");
        String id = get(tc1, "/").id();
        get(tc1, "/set?color=green");
        String survivor = otherOf(nodeOf(id));
        await().atMost(5, SECONDS).until(() -> Arrays.equals(MEMCACHED.inspector(survivor).get("bak:" + id),
                node(id).get(id)));

        MEMCACHED.process(nodeOf(id)).kill();
        Page next = get(tc1, "/"); // at once: the Tomcat may not know yet that the node is gone
        assertEquals(2, next.counter());
        assertEquals("green", next.get("color"));
        assertEquals(survivor, nodeOf(next.id()));
        assertEquals(next.id(), next.response().setCookieValue("JSESSIONID"));
    }

    @Test
    void backupCopyComesBackWithItsNodeAndSavesTheSessionLater() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        String id = get(tc1, "/").id();
        String backupNode = otherOf(nodeOf(id));
        MemcachedInspector backup = MEMCACHED.inspector(backupNode);
        awaitCopy(backup, id);

        MEMCACHED.process(backupNode).kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad("X-" + backupNode));
        MEMCACHED.process(backupNode).restart(); // back, but empty
        await().atMost(10, SECONDS).until(() -> tc1.manager().engine().canLoad("X-" + backupNode));
        assertNull(backup.get("bak:" + id));
        get(tc1, "/read"); // a request that only reads the session
        awaitCopy(backup, id);

        MEMCACHED.process(nodeOf(id)).kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id));
        Page restored = get(tc1, "/");
        assertEquals(2, restored.counter());
        assertEquals(backupNode, nodeOf(restored.id()));
    }

    @Test
    void withThreeNodesTheCopyMovesOnAndTheSessionSurvivesTwoDeaths() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "memcachedNodes", MEMCACHED.memcachedNodes("n1", "n2", "n3"),
                "failoverNodes", "n2 n3", "lockingMode", "all");
        String id = get(tc1, "/").id();
        assertEquals("n1", nodeOf(id), "new sessions go to the one regular node");
        MemcachedInspector n2 = MEMCACHED.inspector("n2");
        MemcachedInspector n3 = MEMCACHED.inspector("n3");
        awaitCopy(n2, id);

        MEMCACHED.process("n2").kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad("X-n2"));
        assertEquals(2, get(tc1, "/").counter());
        awaitCopy(n3, id);
        assertEquals(2, get(tc1, "/read").counter());

        MEMCACHED.process("n1").kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id));
        Page restored = get(tc1, "/");
        assertEquals(id.replace("-n1", "-n3"), restored.id());
        assertEquals(3, restored.counter(), "the latest value");
    }

    // ---------------------------------------------------------------- locking

    @ParameterizedTest
    @ValueSource(strings = {"all", "auto"})
    void parallelRequestsOnOneTomcatAndAnotherLoseNothing(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", lockingMode);
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", lockingMode);
        String id = get(tc1, "/").id();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CompletableFuture<Page> slow = CompletableFuture.supplyAsync(() -> request(tc1, id, "/slow?millis=1500"),
                    pool);
            await().atMost(5, SECONDS).until(() -> tc1.manager().getActiveSessions() == 1);
            CompletableFuture<Page> parallel = CompletableFuture.supplyAsync(() -> request(tc1, id, "/set?a=1"),
                    pool);
            CompletableFuture<Page> elsewhere = CompletableFuture.supplyAsync(() -> request(tc2, id, "/set?b=2"),
                    pool);
            assertEquals("1", parallel.get().get("a"));
            slow.get();
            assertEquals("2", elsewhere.get().get("b"));
        } finally {
            pool.shutdownNow();
        }
        Page last = get(tc2, "/read");
        assertEquals(2, last.counter());
        assertEquals("1", last.get("a"));
        assertEquals("2", last.get("b"));
    }

    @Test
    void autoLearnsReadOnlyRequestsAndLetsThemPassALockedOne() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "auto");
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", "auto");
        String id = get(tc1, "/").id();
        get(tc2, "/read"); // locked, and seen to leave the session unchanged
        assertReadPassesSlowRequest(tc1, tc2, id);
        assertTrue(tc2.manager().getMsmStatNumNonStickySessionsReadOnlyRequest() > 0);
    }

    @Test
    void uriPatternLocksOnlyMatchingRequests() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "uriPattern:GET /slow.*");
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", "uriPattern:GET /slow.*");
        String id = get(tc1, "/").id();
        assertReadPassesSlowRequest(tc1, tc2, id);
    }

    private void assertReadPassesSlowRequest(EmbeddedTomcat tc1, EmbeddedTomcat tc2, String id) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Page> slow = CompletableFuture.supplyAsync(() -> request(tc1, id, "/slow?millis=3000"),
                    pool);
            await().atMost(5, SECONDS).until(() -> node(id).get("lock:" + id) != null);
            Page read = request(tc2, id, "/read");
            assertFalse(slow.isDone(), "the read did not wait for the locked request");
            assertEquals(1, read.counter());
            assertEquals(2, slow.get().counter());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRequestThatCannotGetTheLockMayReadButItsChangeIsRefused() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "lockingMode", "all", "lockTimeout", "300");
        EmbeddedTomcat tc2 = start("tc2", "lockingMode", "all", "lockTimeout", "300");
        String id = get(tc1, "/").id();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture<Page> slow = CompletableFuture.supplyAsync(() -> request(tc1, id, "/slow?millis=3000"),
                    pool);
            await().atMost(5, SECONDS).until(() -> node(id).get("lock:" + id) != null);

            assertEquals(1, request(tc2, id, "/read").counter(), "a read goes on without the lock");
            WebClient.Response change;
            try (WebClient client = new WebClient()) {
                client.setCookie("JSESSIONID", id);
                change = client.get(tc2.port(), "/count");
            }
            assertEquals(409, change.status(), change.toString());
            assertTrue(change.body().contains("not saved"), change.body());
            assertFalse(slow.isDone(), "both waited 300 ms, not for the slow request");
            assertEquals(2, slow.get().counter(), "the lock's holder wins");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, get(tc2, "/read").counter());
        assertEquals(2, tc2.manager().getMsmStatNumLockTimeouts());
        assertEquals(1, tc2.manager().getMsmStatNumWriteConflicts());
    }

    private static Page request(EmbeddedTomcat tomcat, String id, String path) {
        try (WebClient client = new WebClient()) {
            client.setCookie("JSESSIONID", id);
            return Page.of(client.get(tomcat.port(), path));
        }
    }

    // ---------------------------------------------------------------- logins

    @Test
    void formLoginOnOneTomcatIsValidOnTheOther() throws Exception {
        EmbeddedTomcat tc1 = startWithLogin("tc1", "FORM", "lockingMode", "auto");
        EmbeddedTomcat tc2 = startWithLogin("tc2", "FORM", "lockingMode", "auto");
        Logins.form(browser, tc1.port(), "/protected/page");
        Page page = get(tc2, "/protected/page");
        assertEquals(EmbeddedTomcat.USER, page.get("user"));
        get(tc2, "/set?after=login");
        assertEquals("login", get(tc1, "/protected/page").get("after"));
    }

    /**
     * A FORM login in every locking mode, on one Tomcat and on two that a load balancer without stickiness
     * alternates between: its requests are answered as on a single Tomcat (lockingMode none answered the credentials
     * with 409: the login's new id was written compare-and-set against a version of the old key), and the session
     * it leaves holds the login and takes changes on either Tomcat.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none:1", "none:2", "all:1", "all:2", "auto:1", "auto:2"})
    void formLoginWorksInEveryLockingModeWhereverItsRequestsLand(String lockingModeAndTomcats) throws Exception {
        String[] parts = lockingModeAndTomcats.split(":");
        EmbeddedTomcat tc1 = startWithLogin("tc1", "FORM", "lockingMode", parts[0]);
        EmbeddedTomcat tc2 = parts[1].equals("1") ? tc1 : startWithLogin("tc2", "FORM", "lockingMode", parts[0]);

        WebClient.Response loginPage = browser.get(tc1.port(), "/protected/page");
        assertTrue(loginPage.body().contains("j_security_check"), loginPage.toString());
        String loginPageId = browser.cookie("JSESSIONID");
        // Tomcat's FormAuthenticator completes the login page's response itself, before memsession's write of the
        // session under way ends; a person typing a password always comes later than that
        await().atMost(5, SECONDS).until(() -> node(loginPageId).get(loginPageId) != null);
        WebClient.Response redirect = browser.post(tc2.port(), "/j_security_check",
                Map.of("j_username", EmbeddedTomcat.USER, "j_password", EmbeddedTomcat.PASSWORD));
        assertTrue(redirect.status() == 302 || redirect.status() == 303, redirect.toString());
        String id = browser.cookie("JSESSIONID");
        assertNotEquals(loginPageId, id, "changeSessionIdOnAuthentication gives the login a new id");
        assertNull(node(loginPageId).get(loginPageId), "the login page's id is gone from memcached");

        Page page = get(tc1, URI.create(redirect.header("Location")).getRawPath());
        assertEquals(EmbeddedTomcat.USER, page.get("user"), page.toString());
        assertEquals(id, page.id());
        assertEquals(EmbeddedTomcat.USER, get(tc2, "/protected/page").get("user"));
        get(tc1, "/set?after=login");
        Page last = get(tc2, "/protected/page");
        assertEquals("login", last.get("after"));
        assertEquals(EmbeddedTomcat.USER, last.get("user"));
        assertEquals(id, last.id());
        assertEquals(0, tc1.manager().getMsmStatNumWriteConflicts()
                + (tc2 == tc1 ? 0 : tc2.manager().getMsmStatNumWriteConflicts()));
    }

    @Test
    void basicLoginOnOneTomcatIsValidOnTheOther() throws Exception {
        EmbeddedTomcat tc1 = startWithLogin("tc1", "BASIC", "lockingMode", "all");
        EmbeddedTomcat tc2 = startWithLogin("tc2", "BASIC", "lockingMode", "all");
        Logins.basic(browser, tc1.port(), "/protected/page");
        // as on any Tomcat, the login is kept in the session (under a new id) once the session exists
        String id = Logins.basic(browser, tc1.port(), "/protected/page").id();
        assertEquals(id, Logins.basic(browser, tc2.port(), "/protected/page").id());
        assertEquals(id, Logins.basic(browser, tc2.port(), "/protected/page").id());
    }
}
