package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memsession.core.config.MemcachedNodes;
import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.SessionBlob;
import io.memsession.core.format.SessionSeal;
import io.memsession.core.format.StoredSession;
import io.memsession.core.stats.Statistics;
import io.memsession.serializer.SessionAttributesTranscoder;

class SessionBackupTest {

    private static final int GRACE = 10;
    private static final int MAX_SESSION_SIZE = 2000;

    private final FakeStore store = new FakeStore();
    private final Statistics statistics = new Statistics(true);
    private SessionBackup backup;

    private static final SessionBlob BLOBS = new SessionBlob("localhost/app", SessionSeal.none());
    private static final SessionAttributesTranscoder STRINGS = new StringsTranscoder();

    private SessionBackup backup(int writerThreads) {
        return backup(writerThreads, Collections.<String>emptyList());
    }

    /** Sticky mode with nodes to move sessions between: the first other node that is up takes a lost one's. */
    private SessionBackup backup(int writerThreads, List<String> nodeIds) {
        if (!nodeIds.isEmpty()) {
            store.nodes = MemcachedNodes.parse(nodeIds.stream().map(id -> id + ":127.0.0.1:11211")
                    .collect(Collectors.joining(",")), null);
        }
        UnaryOperator<String> otherNode = lost -> nodeIds.stream()
                .filter(node -> !node.equals(lost) && store.isAvailable(node)).findFirst().orElse(null);
        backup = new SessionBackup(store, new StorageKeys("p_", true), STRINGS, "strings", BLOBS,
                new PrincipalCodec(Collections.<String>emptyList(), getClass().getClassLoader()), statistics,
                new SessionBackup.Settings(() -> GRACE, writerThreads, 100, 1000, MAX_SESSION_SIZE, null,
                        "test-backup-", !nodeIds.isEmpty(), otherNode));
        return backup;
    }

    /** A session the backup renames as the Tomcat bridge does: the rename reaches the backup. */
    private FakeSession movable(String id) {
        FakeSession session = holding(id);
        session.renamedBy = backup;
        return session;
    }

    @AfterEach
    void close() {
        if (backup != null) {
            backup.close();
        }
    }

    @Test
    void newSessionIsWrittenUnderItsPrefixedKeyWithItsRemainingLifetime() {
        backup(0);
        FakeSession session = holding("A-n1.tc1");
        session.set("a", "1");
        backup.afterRequest(session);
        assertEquals(1, store.sets.get());
        assertEquals("A-n1.tc1", BLOBS.decode(store.values.get("p_A-n1.tc1")).id());
        assertEquals(1800 + GRACE, store.ttls.get("p_A-n1.tc1"), 1);
    }

    @Test
    void writesOnlyWhenStoredAttributesChanged() {
        backup(0);
        FakeSession session = holding("A-n1");
        session.set("a", "1");
        backup.afterRequest(session);
        backup.afterRequest(session); // nothing touched
        session.set("a", "1"); // touched, same value
        backup.afterRequest(session);
        session.set("a", "2");
        backup.afterRequest(session);
        assertEquals(2, store.sets.get());
        assertEquals(1, statistics.noAttributesAccess());
        assertEquals(1, statistics.noModification());
    }

    @Test
    void newSessionThatHoldsNothingIsNotWrittenUntilItDoes() {
        backup(0);
        FakeSession session = new FakeSession("A-n1", BackupState.forNewSession());
        backup.afterRequest(session);
        session.state.mustWrite(); // e.g. a new id: still nothing worth storing
        backup.afterRequest(session);
        assertEquals(0, store.sets.get());
        session.set("a", "1");
        backup.afterRequest(session);
        assertEquals(1, store.sets.get());
    }

    @Test
    void removalOfASessionThatWasNeverStoredCostsNoCommand() {
        backup(0);
        FakeSession session = new FakeSession("A-n1", BackupState.forNewSession());
        backup.afterRequest(session);
        backup.sessionRemoved(session, true, session.lastUsed);
        assertEquals(0, store.deletes.get());
        assertEquals(0, store.gets.get());
    }

    @Test
    void oversizedSessionIsNeverSentAndItsEarlierCopyIsDeleted() {
        backup(0);
        FakeSession session = holding("A-n1");
        session.set("small", "1");
        backup.afterRequest(session);
        assertNotNull(store.values.get("p_A-n1"));
        session.set("big", new String(new char[MAX_SESSION_SIZE]).replace('\0', 'x'));
        backup.afterRequest(session);
        assertEquals(1, store.sets.get());
        assertNull(store.values.get("p_A-n1")); // a failover must not bring back the older state
        assertEquals(1, statistics.oversizedSessions());
        assertEquals(0, statistics.backupFailures());
        session.attributes.remove("big");
        session.set("small", "2");
        backup.afterRequest(session);
        assertEquals(2, store.sets.get()); // small again: stored again
        assertNotNull(store.values.get("p_A-n1"));
    }

    @Test
    void mustWriteForcesAWriteOfUnchangedAttributes() {
        backup(0);
        FakeSession session = holding("A-n1");
        session.set("a", "1");
        backup.afterRequest(session);
        session.state.mustWrite();
        backup.afterRequest(session);
        assertEquals(2, store.sets.get());
    }

    @Test
    void failedWriteIsRetriedAfterTheNextRequestEvenIfNothingChanged() {
        backup(0);
        FakeSession session = holding("A-n1");
        store.failing = true;
        backup.afterRequest(session);
        assertEquals(1, statistics.backupFailures());
        store.failing = false;
        backup.afterRequest(session);
        assertEquals(1, store.sets.get());
    }

    @Test
    void sessionWithoutNodeCountsAsFailureAndIsNotWritten() {
        backup(0);
        backup.afterRequest(holding("A.tc1"));
        assertEquals(0, store.sets.get());
        assertEquals(1, statistics.backupFailures());
    }

    @Test
    void asyncWritesCoalesceAndNeverOverlapForOneSession() throws Exception {
        backup(2);
        FakeSession session = holding("A-n1");
        store.setGate = new CountDownLatch(1);
        session.set("counter", 0);
        backup.afterRequest(session);
        awaitTrue(() -> store.concurrentSets.get() == 1); // the first write is under way, blocked
        for (int i = 1; i <= 50; i++) {
            session.set("counter", i);
            backup.afterRequest(session);
        }
        store.setGate.countDown();
        // the writer counts a write's lag once memcached answered, a moment after the store saw the write end
        awaitTrue(() -> backup.queuedSessions() == 0 && store.concurrentSets.get() == 0
                && store.sets.get() == 2 && statistics.backupLag().count() == 2);
        assertEquals(1, store.maxConcurrentSets, "writes of one session never overlap");
        assertTrue(new String(BLOBS.decode(store.values.get("p_A-n1")).attributes()).contains("50"),
                "the newest state was written");
    }

    @Test
    void requestsWriteTheirOwnSessionsWhileTheBackupThreadsAreBehind() throws Exception {
        backup(1);
        store.setGate = new CountDownLatch(1);
        FakeSession stuck = holding("A-n1");
        backup.afterRequest(stuck);
        awaitTrue(() -> store.concurrentSets.get() == 1); // the only writer waits for memcached
        FakeSession waiting = holding("B-n1");
        backup.afterRequest(waiting);
        assertEquals(1, backup.queuedSessions());
        waiting.state.queuedSinceNanos = System.nanoTime()
                - TimeUnit.MILLISECONDS.toNanos(SessionBackup.MAX_LAG_MILLIS + 1);

        FakeSession current = holding("C-n1");
        Thread request = new Thread(() -> backup.afterRequest(current));
        request.start();
        awaitTrue(() -> store.concurrentSets.get() == 2); // written by the request thread, not queued
        assertEquals(1, backup.queuedSessions());
        store.setGate.countDown();
        request.join();
        awaitTrue(() -> store.sets.get() == 3 && backup.queuedSessions() == 0);
    }

    @Test
    void refreshTouchesOnlyWhenTheStoredCopyWouldExpireFirst() {
        backup(0);
        FakeSession session = holding("A-n1");
        session.maxInactive = 5;
        backup.afterRequest(session);
        assertFalse(backup.refreshExpiration(session), "just written: nothing to do");
        session.lastUsed = System.currentTimeMillis() + 2_000; // used again later, unchanged
        assertFalse(backup.refreshExpiration(session), "copy still lives longer than the grace period");
        FakeSession idle = holding("B-n1");
        idle.maxInactive = 1;
        idle.lastUsed = System.currentTimeMillis() - 5_000;
        backup.afterRequest(idle); // its copy expires within the grace period
        assertFalse(backup.refreshExpiration(idle), "not used since: the copy may expire with the session");
        idle.lastUsed = System.currentTimeMillis(); // read, not changed
        assertTrue(backup.refreshExpiration(idle));
        assertEquals(1, store.touches.get());
        assertEquals(1, statistics.expirationRefreshes());
    }

    @Test
    void refreshRewritesACopyMemcachedLost() {
        backup(0);
        FakeSession session = holding("A-n1");
        session.maxInactive = 1;
        session.lastUsed = System.currentTimeMillis() - 5_000;
        backup.afterRequest(session);
        store.values.clear();
        session.lastUsed = System.currentTimeMillis();
        assertTrue(backup.refreshExpiration(session));
        assertNotNull(store.values.get("p_A-n1"));
        assertEquals(2, store.sets.get());
    }

    @Test
    void removedSessionIsDeletedAndNeverWrittenAgain() {
        backup(0);
        FakeSession session = holding("A-n1");
        backup.afterRequest(session);
        backup.sessionRemoved(session, false, session.lastUsed);
        assertNull(store.values.get("p_A-n1"));
        session.state.mustWrite();
        backup.afterRequest(session);
        assertNull(store.values.get("p_A-n1"));
    }

    @Test
    void expiryOfAStaleCopyKeepsASessionAnotherTomcatUsedSince() {
        backup(0);
        FakeSession live = holding("A-n1");
        live.lastUsed = System.currentTimeMillis();
        backup.afterRequest(live); // stored by the Tomcat that uses it now
        FakeSession stale = readEarlier("A-n1");
        backup.sessionRemoved(stale, true, live.lastUsed - 60_000);
        assertNotNull(store.values.get("p_A-n1"));
        backup.sessionRemoved(readEarlier("A-n1"), true, live.lastUsed);
        assertNull(store.values.get("p_A-n1"));
    }

    @Test
    void renameDeletesTheOldKeyAndForcesAWriteUnderTheNewOne() {
        backup(0);
        FakeSession session = holding("A-n1.tc1");
        backup.afterRequest(session);
        session.id = "A-n1.tc2";
        backup.sessionRenamed(session, "A-n1.tc1");
        backup.afterRequest(session);
        assertNull(store.values.get("p_A-n1.tc1"));
        assertNotNull(store.values.get("p_A-n1.tc2"));
    }

    @Test
    void synchronousWriteToALostNodeMovesTheSessionAndWritesItThereInTheSameCall() {
        backup(0, List.of("n1", "n2"));
        FakeSession session = movable("A-n1.tc1");
        store.downNodes.add("n1");
        backup.afterRequest(session);
        assertEquals("A-n2.tc1", session.id, "only the node part changes");
        assertEquals("A-n2.tc1", BLOBS.decode(store.values.get("p_A-n2.tc1")).id());
        assertEquals(1, statistics.memcachedFailovers());
        assertEquals("A-n2.tc1", backup.movedTo("A-n1.tc1"), "the old id finds the session");
    }

    @Test
    void asynchronousWriteToALostNodeMovesTheSessionOnTheWritersPass() throws InterruptedException {
        backup(1, List.of("n1", "n2"));
        FakeSession session = movable("A-n1.tc1");
        store.downNodes.add("n1");
        backup.afterRequest(session);
        awaitTrue(() -> store.values.containsKey("p_A-n2.tc1"));
        assertEquals("A-n2.tc1", session.id);
    }

    @Test
    void withNoOtherNodeUpTheSessionKeepsItsIdAndWaits() {
        backup(0, List.of("n1", "n2"));
        FakeSession session = movable("A-n1.tc1");
        store.downNodes.add("n1");
        store.downNodes.add("n2");
        backup.afterRequest(session);
        assertEquals("A-n1.tc1", session.id);
        assertTrue(store.values.isEmpty());
    }

    @Test
    void sessionsHeldOnANodeFoundDownMoveWithoutARequest() throws InterruptedException {
        backup(1, List.of("n1", "n2"));
        FakeSession stored = movable("A-n1.tc1");
        FakeSession elsewhere = movable("B-n2.tc1");
        backup.afterRequest(stored);
        backup.afterRequest(elsewhere);
        awaitTrue(() -> store.values.containsKey("p_A-n1.tc1") && store.values.containsKey("p_B-n2.tc1"));
        backup.relocatesSessionsOf(List.of(stored, elsewhere));
        store.downNodes.add("n1");
        awaitTrue(() -> "A-n2.tc1".equals(stored.id));
        assertEquals("A-n2.tc1", BLOBS.decode(store.values.get("p_A-n2.tc1")).id());
        assertEquals("B-n2.tc1", elsewhere.id, "a session on a node that is up stays");
    }

    @Test
    void copyLeftOnANodeThatWasDownIsDeletedWhenItAnswersAgain() throws InterruptedException {
        backup(0, List.of("n1", "n2"));
        FakeSession session = movable("A-n1.tc1");
        backup.afterRequest(session);
        store.downNodes.add("n1"); // paused: it keeps the copy
        session.set("a", "2");
        backup.afterRequest(session);
        assertEquals("A-n2.tc1", session.id);
        assertNotNull(store.values.get("p_A-n1.tc1"));
        store.downNodes.remove("n1");
        awaitTrue(() -> !store.values.containsKey("p_A-n1.tc1"));
        assertNotNull(store.values.get("p_A-n2.tc1"));
    }

    @Test
    void newestCopyOfAMovedSessionIsFoundByItsOldIdAndStaleCopiesGo() {
        backup(0, List.of("n1", "n2", "n3"));
        store.values.put("p_A-n1.tc1", blob("A-n1.tc1", 1000));
        store.values.put("p_A-n3.tc1", blob("A-n3.tc1", 3000));
        store.values.put("p_A-n2.tc2", blob("A-n2.tc2", 5000)); // another route: another Tomcat's id
        assertEquals("A-n3.tc1", backup.newestCopy("A-n1.tc1"));
        assertNull(store.values.get("p_A-n1.tc1"), "the stale copy is deleted");
        assertEquals("A-n3.tc1", backup.newestCopy("A-n2.tc1"));
        assertNull(backup.newestCopy("B-n1.tc1"));
        store.downNodes.add("n3");
        assertNull(backup.newestCopy("A-n1.tc1"), "what a node that is down holds is not found");
    }

    @Test
    void ofTwoCopiesUsedInOneMillisecondTheLaterWriteIsNewestEvenUnderAnotherId() {
        backup(0, List.of("n1", "n2"));
        store.values.put("p_A-n1.tc1", blob("A-n1.tc1", 1000, 6));
        store.values.put("p_A-n2.tc1", blob("A-n2.tc1", 1000, 7));
        assertEquals("A-n2.tc1", backup.newestCopy("A-n1.tc1"));
        assertNull(store.values.get("p_A-n1.tc1"), "the earlier write is deleted");
        store.values.put("p_A-n1.tc1", blob("A-n1.tc1", 1000, 7)); // the same write, reached late
        assertEquals("A-n1.tc1", backup.newestCopy("A-n1.tc1"), "the same write: the id asked for");
        assertNotNull(store.values.get("p_A-n2.tc1"), "neither is deleted: neither is older");
        store.values.put("p_A-n2.tc1", blob("A-n2.tc1", 999, 8)); // restored from a copy that was behind
        assertEquals("A-n1.tc1", backup.newestCopy("A-n2.tc1"), "the one used last wins, whatever its number");
    }

    @Test
    void storedSessionHasASecondCopyOnTheNextNodeThatIsUpUnderTheIdItWouldHaveThere() {
        backup(0, List.of("n1", "n2", "n3"));
        FakeSession session = movable("A-n2.tc1");
        backup.afterRequest(session);
        assertEquals("A-n2.tc1", BLOBS.decode(store.values.get("p_A-n2.tc1")).id());
        assertEquals("A-n3.tc1", BLOBS.decode(store.values.get("p_A-n3.tc1")).id(), "its Tomcat's death and then"
                + " its node's lose nothing: another Tomcat reads the id on every node");
        store.downNodes.add("n3");
        session.set("a", "2");
        backup.afterRequest(session);
        assertTrue(new String(BLOBS.decode(store.values.get("p_A-n1.tc1")).attributes()).contains("2"),
                "the next node that is up");
        store.downNodes.remove("n3");
        backup.sessionRemoved(session, false, session.lastUsed);
        assertTrue(store.values.isEmpty(), "every copy goes with the session: " + store.values.keySet());
    }

    @Test
    void tomcatsOwnIdChangeNeverLetsTheOldIdFindTheSession() {
        backup(0, List.of("n1", "n2"));
        FakeSession session = movable("A-n1.tc1");
        backup.afterRequest(session);
        session.id = "B-n2.tc1"; // a login's new id
        backup.sessionRenamed(session, "A-n1.tc1");
        assertNull(backup.movedTo("A-n1.tc1"));
        assertNull(store.values.get("p_A-n1.tc1"));
        assertNull(store.values.get("p_A-n2.tc1"), "nor does the old id's second copy");
    }

    private static byte[] blob(String id, long thisAccessedTime) {
        return blob(id, thisAccessedTime, 1);
    }

    private static byte[] blob(String id, long thisAccessedTime, long writeNumber) {
        return BLOBS.encode(new StoredSession(id, 1, thisAccessedTime, thisAccessedTime, writeNumber, 1800, false,
                null, null, "strings", STRINGS.serialize(Collections.<String, Object>singletonMap("a", "1"))));
    }

    /** A session this Tomcat read from memcached some time ago. */
    private static FakeSession readEarlier(String id) {
        return new FakeSession(id, BackupState.forLoadedSession(new StoredSession(id, 1, 1, 1, 1, 1800, false, null,
                null, "strings", new byte[0]), System.currentTimeMillis()));
    }

    /** A new session holding one attribute: worth storing. */
    private static FakeSession holding(String id) {
        FakeSession session = new FakeSession(id, BackupState.forNewSession());
        session.set("a", "1");
        return session;
    }

    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }
}
