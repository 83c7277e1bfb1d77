package io.memsession.tomcat;

import static io.memsession.tomcat.MemcachedCluster.nodeOf;
import static io.memsession.tomcat.MemcachedCluster.otherOf;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memsession.core.format.StoredSession;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * Non-sticky sessions when the memcached node that holds them dies or comes back empty: a change the client saw
 * acknowledged is on two nodes ({@code backupCopyBeforeResponse}, the default), and the copy serves whenever the
 * session's own node lost it, but never brings back a session that was invalidated, nor the older state a paused
 * node kept. Two nodes {@code n1} and {@code n2}; one browser.
 */
class NonStickyNodeLossTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();

    private EmbeddedTomcat start(String jvmRoute, String lockingMode) throws Exception {
        EmbeddedTomcat tomcat = EmbeddedTomcat.start(jvmRoute, null, ManagerAttributes.configuration(
                MEMCACHED.memcachedNodes("n1", "n2"), "sticky", "false", "lockingMode", lockingMode));
        tomcats.add(tomcat);
        return tomcat;
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void everyAcknowledgedChangeSurvivesItsNodesDeathRightAfterTheResponse(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", lockingMode);
        EmbeddedTomcat tc2 = start("tc2", lockingMode);
        String id = get(tc1, "/").id();
        MemcachedInspector primary = MEMCACHED.inspector(nodeOf(id));
        MemcachedInspector next = MEMCACHED.inspector(otherOf(nodeOf(id)));

        int changes = 20; // a busy session: each change follows the last within a few milliseconds
        for (int i = 0; i < changes; i++) {
            assertEquals(2 + i, get(i % 2 == 0 ? tc2 : tc1, "/").counter());
        }
        // at once, no waiting: what the client saw acknowledged is in both places
        assertArrayEquals(primary.get(id), next.get("bak:" + id), "the copy holds the last acknowledged change");
        assertEquals(0, tc1.manager().getMsmStatNumBackupCopyFailures()
                + tc2.manager().getMsmStatNumBackupCopyFailures(), "every copy was written before its response");

        MEMCACHED.process(nodeOf(id)).kill();
        Page restored = get(tc1, "/");
        assertEquals(otherOf(nodeOf(id)), nodeOf(restored.id()));
        assertEquals(2 + changes, restored.counter(), "no acknowledged increment lost");
        assertEquals(1, tc1.manager().getMsmStatNumBackupCopyFailures(),
                "the restored session is in one place while the other node is down, and counted so");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void aSessionWhoseNodeCameBackEmptyContinuesFromItsCopy(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", lockingMode);
        String id = get(tc1, "/").id();
        get(tc1, "/set?color=green");
        String lostNode = nodeOf(id);
        String survivor = otherOf(lostNode);

        // killed, and back before the session's next request, empty
        MEMCACHED.process(lostNode).kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id));
        MEMCACHED.process(lostNode).restart();
        await().atMost(10, SECONDS).until(() -> tc1.manager().engine().canLoad(id));
        assertNull(MEMCACHED.inspector(lostNode).get(id));

        Page next = get(tc1, "/");
        assertEquals(2, next.counter(), "the session goes on");
        assertEquals("green", next.get("color"));
        assertEquals(id.replace("-" + lostNode, "-" + survivor), next.id(), "it moved to the node of its copy");
        assertEquals(next.id(), next.response().setCookieValue("JSESSIONID"), "the browser learns the new id");
        MemcachedInspector copyNode = MEMCACHED.inspector(lostNode);
        await().atMost(5, SECONDS).until(() -> copyNode.get("bak:" + next.id()) != null); // in two places again
        assertEquals(3, get(tc1, "/").counter());
    }

    @Test
    void aCopyThatCannotBeWrittenDoesNotFailTheRequestAndIsCounted() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "all");
        String id = get(tc1, "/").id();
        String copyNode = otherOf(nodeOf(id));
        MemcachedInspector primary = MEMCACHED.inspector(nodeOf(id));
        MemcachedInspector next = MEMCACHED.inspector(copyNode);

        MEMCACHED.process(copyNode).pause(); // answers nothing: the copy's write times out (operationTimeout)
        WebClient.Response response;
        try {
            response = browser.get(tc1.port(), "/");
        } finally {
            MEMCACHED.process(copyNode).resume();
        }
        assertEquals(200, response.status(), "a copy that cannot be written does not fail the request");
        Page changed = Page.of(response);
        assertEquals(2, changed.counter(), "the change is acknowledged: its session's node has it");
        assertEquals(id, changed.id());
        assertEquals(1, tc1.manager().getMsmStatNumBackupCopyFailures(), "the session was in one place");

        await().atMost(10, SECONDS).until(() -> tc1.manager().engine().canLoad("X-" + copyNode));
        assertEquals(3, get(tc1, "/").counter());
        assertArrayEquals(primary.get(id), next.get("bak:" + id), "two places again with the next change");
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void anInvalidatedSessionDoesNotComeBackFromItsCopy(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", lockingMode);
        EmbeddedTomcat tc2 = start("tc2", lockingMode);
        String id = get(tc1, "/").id();
        get(tc2, "/");
        MemcachedInspector next = MEMCACHED.inspector(otherOf(nodeOf(id)));
        assertNotNull(next.get("bak:" + id));

        assertEquals(200, browser.get(tc2.port(), "/invalidate").status());
        assertNull(next.get("bak:" + id), "invalidation deleted the copy with the session");
        try (WebClient stale = new WebClient()) { // a second tab that still sends the old id
            stale.setCookie("JSESSIONID", id);
            Page fresh = Page.of(stale.get(tc1.port(), "/"));
            assertNotEquals(id, fresh.id());
            assertNotEquals(id.replace("-" + nodeOf(id), "-" + otherOf(nodeOf(id))), fresh.id(),
                    "not the invalidated session moved to its copy's node");
            assertEquals(1, fresh.counter(), "a new session, not the invalidated one");
        }
        assertEquals(0, tc1.manager().getMsmStatNumMemcachedFailover(), "nothing was restored");
    }

    /**
     * Issue 15: a node paused (SIGSTOP) long enough for its session to be restored from its copy under a new id
     * keeps the older state under the old id; when it answers again, a second tab that missed the new cookie must
     * get the session as it is now, on any Tomcat, not the state from before the pause.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void anOldIdAfterAPausedNodeResumesGetsTheNewestStateNotTheOneTheNodeKept(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", lockingMode);
        EmbeddedTomcat tc2 = start("tc2", lockingMode);
        String oldId = get(tc1, "/").id();
        get(tc2, "/");
        assertEquals(3, get(tc1, "/").counter());
        String paused = nodeOf(oldId);
        String moved = oldId.replace("-" + paused, "-" + otherOf(paused));
        try (WebClient secondTab = new WebClient()) { // the same user's other tab, that keeps the old id
            secondTab.setCookie("JSESSIONID", oldId);

            MEMCACHED.process(paused).pause();
            try {
                await().atMost(10, SECONDS).pollInterval(200, MILLISECONDS)
                        .until(() -> moved.equals(get(tc1, "/").id()));
                int counter = 0;
                for (int i = 0; counter < 12 && i < 20; i++) {
                    counter = get(i % 2 == 0 ? tc2 : tc1, "/").counter();
                }
                assertEquals(12, counter);
            } finally {
                MEMCACHED.process(paused).resume();
            }
            await().atMost(10, SECONDS).until(() -> tc1.manager().engine().canLoad(oldId)
                    && tc2.manager().engine().canLoad(oldId));
            assertNotNull(MEMCACHED.inspector(paused).get(oldId), "the paused node kept the older state");

            for (EmbeddedTomcat tomcat : new EmbeddedTomcat[] {tc2, tc1}) {
                secondTab.setCookie("JSESSIONID", oldId);
                Page read = Page.of(secondTab.get(tomcat.port(), "/read"));
                assertEquals("12", read.get("counter"), "the old id gets the newest state, not the kept one");
                assertEquals(moved, read.id(), "the session it moved to");
                assertEquals(moved, read.response().setCookieValue("JSESSIONID"), "and the tab learns its id");
            }
            assertEquals(13, get(tc2, "/").counter(), "the session goes on from there");
        }
    }

    /**
     * A node that stops answering between a request's read and its write (paused: it comes back holding the state
     * from before) must not cost the change the client is answered for. Found by the benchmark with 100 KB sessions,
     * where overloaded nodes were suspected now and then: the write failed at once on the suspected node, the
     * request was answered, and once the node answered again the next request read the older state.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void aChangeWhoseNodeStopsAnsweringBeforeItsWriteIsKept(String lockingMode) throws Exception {
        EmbeddedTomcat tc1 = start("tc1", lockingMode);
        String id = get(tc1, "/").id();
        get(tc1, "/set?color=green");
        String paused = nodeOf(id);
        String keptId = id.replace("-" + paused, "-" + otherOf(paused));
        TestServlet.HELD.drainPermits();
        WebClient.Response answered;
        try (WebClient client = new WebClient()) {
            client.setCookie("JSESSIONID", id);
            CompletableFuture<WebClient.Response> held =
                    CompletableFuture.supplyAsync(() -> client.get(tc1.port(), "/held"));
            try {
                // waiting in /held: the session is read
                await().atMost(10, SECONDS).until(TestServlet.HELD::hasQueuedThreads);
                MEMCACHED.process(paused).pause();
                await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id));
            } finally {
                TestServlet.HELD.release();
            }
            try {
                answered = held.get(30, SECONDS);
            } finally {
                MEMCACHED.process(paused).resume();
            }
        }
        assertEquals(200, answered.status());
        assertEquals(2, Page.of(answered).counter(), "the change is acknowledged");
        assertNull(answered.setCookieValue("JSESSIONID"), "read before the node stopped: the id stays");
        assertNotNull(MEMCACHED.inspector(otherOf(paused)).get(keptId), "kept on the node of the copy");
        await().atMost(10, SECONDS).until(() -> tc1.manager().engine().canLoad(id));
        assertNotNull(MEMCACHED.inspector(paused).get(id), "the node that answers again kept the older state");

        Page next = get(tc1, "/");
        assertEquals(3, next.counter(), "the acknowledged change is kept");
        assertEquals("green", next.get("color"));
        assertEquals(keptId, next.id(), "kept on the node of its copy");
        assertEquals(4, get(tc1, "/").counter());
    }

    /**
     * The key a session was restored from, read again by a Tomcat that does not know yet that the session left its
     * node (a node that left the cluster, or died, for one Tomcat first): the request with the restored id finds
     * the origin beside it, within the same millisecond as the session's last write when a fast client alternates
     * between Tomcats. The later write wins, not the origin: the access time alone cannot tell them apart there.
     */
    @ParameterizedTest
    @ValueSource(strings = {"none", "all"})
    void theKeyASessionWasRestoredFromNeverWinsOverItsLaterWriteInTheSameMillisecond(String lockingMode)
            throws Exception {
        EmbeddedTomcat tc1 = start("tc1", lockingMode);
        String id = get(tc1, "/").id();
        MemcachedInspector node = MEMCACHED.inspector(nodeOf(id));
        byte[] first = node.get(id);
        assertEquals(2, get(tc1, "/").counter());
        StoredSession latest = StoredAttributes.session(node.get(id));
        StoredSession origin = StoredAttributes.session(first);
        // the state before the last change, under the id the session had on the other node, as used in the same
        // millisecond as the last change
        String originId = id.replace("-" + nodeOf(id), "-" + otherOf(nodeOf(id)));
        MEMCACHED.inspector(otherOf(nodeOf(id))).set(originId, StoredAttributes.ROOT_CONTEXT.encode(new StoredSession(
                originId, origin.creationTime(), origin.lastAccessedTime(), latest.thisAccessedTime(),
                origin.writeNumber(), origin.maxInactiveInterval(), origin.isNew(), origin.authType(),
                origin.principal(), origin.serializerId(), origin.attributes())), 0);
        assertEquals(latest.writeNumber(), origin.writeNumber() + 1, "one write after the other");

        WebClient.Response next = browser.get(tc1.port(), "/");
        assertEquals(3, Page.of(next).counter(), "the acknowledged change is kept");
        assertNull(next.setCookieValue("JSESSIONID"), "the session stays where it is");
        assertNull(MEMCACHED.inspector(otherOf(nodeOf(id))).get(originId), "the older one is deleted");
        assertEquals(4, get(tc1, "/").counter());
    }
}
