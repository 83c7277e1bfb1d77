package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.WebClient;

/**
 * Many parallel clients of one session, spread over two non-sticky Tomcats, each incrementing the session's counter.
 * A request either succeeds (200) and its increment is in the final counter, or is refused (409): nothing answered
 * 200 is lost, with or without locking. With locking every request succeeds; without it, parallel changes collide
 * and some are refused.
 */
class NonStickyContentionTest {

    private static final int CLIENTS_PER_TOMCAT = 4;
    private static final int REQUESTS_PER_CLIENT = 25;

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose("shutdownNow")
    private final ExecutorService clients = Executors.newFixedThreadPool(2 * CLIENTS_PER_TOMCAT + 1);

    private void startTomcats(String... attributes) throws Exception {
        List<String> all = new ArrayList<>(List.of("sticky", "false"));
        all.addAll(List.of(attributes));
        for (String route : List.of("tc1", "tc2")) {
            tomcats.start(route, MEMCACHED.memcachedNodes(), all.toArray(String[]::new));
        }
    }

    @Test
    void withLockingEveryIncrementCounts() throws Exception {
        startTomcats("lockingMode", "all", "lockTimeout", "20000");
        Outcome outcome = hammer(null);
        assertEquals(0, outcome.refused(), outcome.toString());
        assertEquals(outcome.sent(), outcome.succeeded(), outcome.toString());
        assertEquals(outcome.succeeded(), outcome.finalCounter() - 1, "zero lost updates: " + outcome);
        for (EmbeddedTomcat tomcat : tomcats.all()) {
            assertEquals(0, tomcat.manager().getMsmStatNumWriteConflicts());
            assertEquals(0, tomcat.manager().getMsmStatNumLockTimeouts());
        }
    }

    @Test
    void aRequestLongerThanTheLockExpirationKeepsItsLock() throws Exception {
        startTomcats("lockingMode", "all", "lockExpiration", "2", "lockTimeout", "20000");
        Outcome outcome = hammer("/slow?millis=3500");
        assertEquals(0, outcome.refused(), outcome.toString());
        assertEquals(outcome.sent(), outcome.succeeded(), outcome.toString());
        assertEquals(outcome.succeeded(), outcome.finalCounter() - 1, "zero lost updates: " + outcome);
    }

    @Test
    void onOneTomcatParallelRequestsShareTheSessionAndNeedNoLock() throws Exception {
        startTomcats("lockingMode", "none");
        tomcats.all().remove(1).close();
        Outcome outcome = hammer(null);
        assertEquals(0, outcome.refused(), outcome.toString());
        assertEquals(outcome.succeeded(), outcome.finalCounter() - 1, "zero lost updates: " + outcome);
    }

    @Test
    void withoutLockingParallelChangesCollide() throws Exception {
        startTomcats("lockingMode", "none");
        Outcome outcome = hammer(null);
        long conflicts = tomcats.all().stream().mapToLong(t -> t.manager().getMsmStatNumWriteConflicts()).sum();
        assertTrue(outcome.refused() > 0, "lockingMode none cannot apply every parallel change: " + outcome);
        assertEquals(outcome.refused(), conflicts, "every refused change was answered 409: " + outcome);
        // a change made while a parallel request's write was being prepared may be stored by that write and still
        // be refused: the refusal errs on the safe side, never the other way
        assertTrue(outcome.finalCounter() - 1 >= outcome.succeeded(), "no answered change is lost: " + outcome);
        assertTrue(outcome.finalCounter() - 1 <= outcome.sent(), outcome.toString());
    }

    @Test
    void underContinuousLoadEveryTomcatGetsItsTurnWithTheLock() throws Exception {
        startTomcats("lockingMode", "all", "lockTimeout", "1500");
        // A cold JVM on a busy 2-core machine can stall a Tomcat for longer than the timeout: warm both up first,
        // on a session of its own.
        hammer(null, "/slow?millis=20", Integer.MAX_VALUE, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500));
        long timeoutsBefore = lockTimeouts();

        // requests of 20 ms from 4 clients per Tomcat overlap all the time: a Tomcat's stay would never end by itself
        Outcome outcome = hammer(null, "/slow?millis=20", Integer.MAX_VALUE,
                System.nanoTime() + TimeUnit.SECONDS.toNanos(4));
        assertEquals(0, outcome.refused(), "no request waited 1.5 s for the lock: " + outcome);
        assertEquals(outcome.succeeded(), outcome.finalCounter() - 1, "zero lost updates: " + outcome);
        assertEquals(timeoutsBefore, lockTimeouts());
    }

    private long lockTimeouts() {
        return tomcats.all().stream().mapToLong(t -> t.manager().getMsmStatNumLockTimeouts()).sum();
    }

    private Outcome hammer(String slowPath) throws Exception {
        return hammer(slowPath, "/count", REQUESTS_PER_CLIENT, Long.MAX_VALUE);
    }

    /**
     * Creates the session, then runs the clients, each sending {@code path} until it sent {@code requests} or
     * {@code untilNanos} came; {@code slowPath}, if given, is requested once on tc1 meanwhile.
     */
    private Outcome hammer(String slowPath, String path, int requests, long untilNanos) throws Exception {
        String id;
        try (WebClient creator = new WebClient()) {
            id = Page.of(creator.get(tomcats.all().get(0).port(), "/")).id();
        }
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Future<Integer>> running = new ArrayList<>();
        if (slowPath != null) {
            running.add(clients.submit(() -> send(tomcats.all().get(0), id, slowPath, 1, Long.MAX_VALUE,
                    succeeded, refused)));
        }
        for (EmbeddedTomcat tomcat : tomcats.all()) {
            for (int i = 0; i < 2 * CLIENTS_PER_TOMCAT / tomcats.all().size(); i++) {
                running.add(clients.submit(() -> send(tomcat, id, path, requests, untilNanos, succeeded,
                        refused)));
            }
        }
        int sent = 0;
        for (Future<Integer> client : running) {
            sent += client.get();
        }
        try (WebClient reader = new WebClient()) {
            reader.setCookie("JSESSIONID", id);
            EmbeddedTomcat last = tomcats.all().get(tomcats.all().size() - 1);
            int counter = Page.of(reader.get(last.port(), "/read")).counter();
            return new Outcome(sent, succeeded.get(), refused.get(), counter);
        }
    }

    /** @return how many requests it sent */
    private static int send(EmbeddedTomcat tomcat, String id, String path, int requests, long untilNanos,
                            AtomicInteger succeeded, AtomicInteger refused) {
        try (WebClient client = new WebClient()) {
            client.setCookie("JSESSIONID", id);
            int i = 0;
            for (; i < requests && System.nanoTime() < untilNanos; i++) {
                WebClient.Response response = client.get(tomcat.port(), path);
                if (response.status() == 200) {
                    succeeded.incrementAndGet();
                } else if (response.status() == 409) {
                    refused.incrementAndGet();
                } else {
                    throw new AssertionError("unexpected answer " + response);
                }
            }
            return i;
        }
    }

    private record Outcome(int sent, int succeeded, int refused, int finalCounter) {
    }
}
