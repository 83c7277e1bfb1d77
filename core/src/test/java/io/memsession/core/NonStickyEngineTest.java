package io.memsession.core;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.format.PrincipalCodec;

/**
 * The stay protocol of non-sticky mode, against the fake store: what a Tomcat's parallel requests do with one
 * session, and what other Tomcats see in memcached.
 */
class NonStickyEngineTest {

    private static final String ID = "A1B2C3D4-n1";
    private static final String RESTORED_ID = "A1B2C3D4-n2";
    private static final String LOCK = "lock:" + ID;

    private final FakeStore store = new FakeStore();
    private final FakeTomcat tomcat = new FakeTomcat();
    private final SessionEngine engine = SessionEngine.create(new ConfigurationBuilder()
                    .set("memcachedNodes", "n1:127.0.0.1:11211,n2:127.0.0.1:11212").set("sticky", "false")
                    .set("lockingMode", "all").build(), store, "", "localhost/app", StringsTranscoder.FACTORY,
            getClass().getClassLoader(), codec(), codec(), () -> 10, "test-");

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void parallelRequestsJoinTheStayAndShareOneReadAndOneLock() {
        stored(ID, "count", "1");
        Visit<FakeSession> first = request();
        FakeSession session = find(ID, first);
        byte[] lock = store.values.get(LOCK);
        assertNotNull(lock, "the first request took the lock");

        Visit<FakeSession> second = request();
        assertSame(session, find(ID, second), "the second request joins the stay");
        assertSame(session, find(ID, second), "and keeps it for the rest of the request");
        assertEquals("1", session.get("count"));
        assertEquals(1, tomcat.activations.get(), "read from memcached once");
        assertArrayEquals(lock, store.values.get(LOCK), "the lock was taken once");
    }

    @Test
    void theLastRequestOfTheStayReleasesTheLockAndTheSessionLeaves() {
        stored(ID, "count", "1");
        Visit<FakeSession> first = request();
        Visit<FakeSession> second = request();
        FakeSession session = find(ID, first);
        find(ID, second);
        first.changed(session, session.set("count", "2"));

        assertEquals(SessionEngine.Changes.ACCEPTED, engine.requestFinished(first, true, tomcat));
        assertNotNull(store.values.get(LOCK), "the second request still holds the lock");
        assertSame(session, tomcat.find(ID), "the session stays while a request uses it");
        assertEquals(0, tomcat.passivations.get());

        assertEquals(SessionEngine.Changes.ACCEPTED, engine.requestFinished(second, true, tomcat));
        assertNull(store.values.get(LOCK), "the last request released the lock");
        assertNull(tomcat.find(ID), "the session left this Tomcat");
        assertEquals(1, tomcat.passivations.get());

        FakeSession next = find(ID, request());
        assertNotSame(session, next, "the next request reads the session anew");
        assertEquals("2", next.get("count"), "and sees what the first request wrote before its end");
    }

    @Test
    void aBusyStayTakesNoNewRequestWhileAnotherTomcatWaitsForItsLock() throws Exception {
        stored(ID, "count", "1");
        Visit<FakeSession> first = request();
        FakeSession session = find(ID, first);
        byte[] firstLock = store.values.get(LOCK);
        store.values.put("lockwait:" + ID, new byte[] {1}); // another Tomcat's request waits for the lock

        // requests join until the stay looks for waiting Tomcats (at most every 20 ms); from then on one waits
        long deadline = System.nanoTime() + SECONDS.toNanos(5);
        Visit<FakeSession> late;
        FutureTask<FakeSession> lateSession;
        while (true) {
            assertTrue(System.nanoTime() < deadline, "the stay still takes new requests after 5 s");
            late = request();
            Visit<FakeSession> visit = late;
            lateSession = new FutureTask<>(() -> engine.find(ID, visit, tomcat));
            Thread thread = new Thread(lateSession);
            thread.setDaemon(true);
            thread.start();
            FutureTask<FakeSession> task = lateSession;
            await().atMost(5, SECONDS).until(() -> task.isDone() || thread.getState() == Thread.State.WAITING);
            if (!lateSession.isDone()) {
                break;
            }
            assertSame(session, lateSession.get(), "joined while no check was due");
            engine.requestFinished(late, true, tomcat);
        }

        first.changed(session, session.set("count", "2"));
        engine.requestFinished(first, true, tomcat);
        FakeSession read = lateSession.get(5, SECONDS);
        assertNotSame(session, read, "after the stay ended, the waiting request read the session anew");
        assertEquals("2", read.get("count"));
        assertNotNull(store.values.get(LOCK));
        assertFalse(Arrays.equals(firstLock, store.values.get(LOCK)), "under a lock of its own");
        engine.requestFinished(late, true, tomcat);
    }

    @Test
    void aRestoreFromTheBackupCopyIsSharedWithALateRequestThatStillHasTheOldId() {
        stored(ID, "count", "1");
        await().atMost(5, SECONDS).until(() -> store.values.containsKey("bak:" + ID));
        store.downNodes.add("n1");

        RecordingVisit first = new RecordingVisit();
        engine.arriving(ID, null, first.visit, tomcat);
        assertEquals(Collections.singletonList(RESTORED_ID), first.idChanges, "the client is told the new id");
        FakeSession restored = find(RESTORED_ID, first.visit);
        assertNotNull(restored);
        assertEquals("1", restored.get("count"), "the backup copy's attributes");

        RecordingVisit late = new RecordingVisit(); // sent with the old id before the client learnt the new one
        engine.arriving(ID, null, late.visit, tomcat);
        assertEquals(Collections.singletonList(RESTORED_ID), late.idChanges);
        assertSame(restored, find(RESTORED_ID, late.visit), "the late request joins the stay");
        assertEquals(1, tomcat.activations.get(), "the copy was restored once");

        first.visit.changed(restored, restored.set("count", "2"));
        engine.requestFinished(first.visit, true, tomcat);
        engine.requestFinished(late.visit, true, tomcat);

        RecordingVisit later = new RecordingVisit(); // the old id again, after the stay ended
        engine.arriving(ID, null, later.visit, tomcat);
        assertEquals(Collections.singletonList(RESTORED_ID), later.idChanges);
        FakeSession again = find(RESTORED_ID, later.visit);
        assertEquals("2", again.get("count"), "what the restored stay wrote, not the old copy");
        engine.requestFinished(later.visit, true, tomcat);
    }

    @Test
    void theCopyIsWrittenBeforeTheResponseAndDeletedWithAWriteMemcachedRefused() {
        stored(ID, "count", "1");
        assertArrayEquals(store.values.get(ID), store.values.get("bak:" + ID), "the copy, written with the session");

        Visit<FakeSession> changing = request();
        FakeSession session = find(ID, changing);
        changing.changed(session, session.set("count", "2"));
        store.refusingCas = true; // another Tomcat wrote the session meanwhile
        assertEquals(SessionEngine.Changes.CONFLICT, engine.requestFinished(changing, true, tomcat));
        assertNull(store.values.get("bak:" + ID), "no copy holds the refused change");
    }

    /** The engine's answer, within seconds: a broken stay would keep a request waiting for one that never ends. */
    private FakeSession find(String id, Visit<FakeSession> visit) {
        try {
            return CompletableFuture.supplyAsync(() -> engine.find(id, visit, tomcat)).get(5, SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no session for " + id + " within 5 s", e);
        }
    }

    /** A session a request created, written at its end as non-sticky mode writes. */
    private void stored(String id, String name, String value) {
        Visit<FakeSession> creating = request();
        FakeSession session = new FakeSession(id, BackupState.forNewSession());
        tomcat.add(session);
        engine.created(session, creating);
        creating.changed(session, session.set(name, value));
        assertEquals(SessionEngine.Changes.ACCEPTED, engine.requestFinished(creating, false, tomcat));
        assertNotNull(store.values.get(id), "written before the response");
        assertNull(tomcat.find(id), "and gone from this Tomcat with its request");
        tomcat.activations.set(0);
        tomcat.passivations.set(0);
    }

    private static Visit<FakeSession> request() {
        return new RecordingVisit().visit;
    }

    private static PrincipalCodec codec() {
        return new PrincipalCodec(Collections.<String>emptyList(), NonStickyEngineTest.class.getClassLoader());
    }

    /** A visit that records the ids the client is told. */
    private static final class RecordingVisit {
        final List<String> idChanges = new ArrayList<>();
        final Visit<FakeSession> visit = Visit.of("GET", "/app/page", null, () -> null, idChanges::add);
    }

    /** Tomcat's part: its sessions by id, and how often listeners heard of an activation or a passivation. */
    static final class FakeTomcat implements SessionContainer<FakeSession> {
        final Map<String, FakeSession> sessions = new ConcurrentHashMap<>();
        final AtomicInteger activations = new AtomicInteger();
        final AtomicInteger passivations = new AtomicInteger();

        @Override
        public FakeSession find(String id) {
            return sessions.get(id);
        }

        @Override
        public FakeSession restore(LoadedSession loaded) {
            return FakeSession.from(loaded);
        }

        @Override
        public void add(FakeSession session) {
            sessions.put(session.id, session);
        }

        @Override
        public void activate(FakeSession session) {
            activations.incrementAndGet();
        }

        @Override
        public void rename(FakeSession session, String newId) {
            sessions.remove(session.id, session);
            session.id = newId;
            sessions.put(newId, session);
        }

        @Override
        public void passivate(FakeSession session) {
            passivations.incrementAndGet();
        }

        @Override
        public void remove(FakeSession session) {
            sessions.remove(session.id, session);
        }
    }
}
