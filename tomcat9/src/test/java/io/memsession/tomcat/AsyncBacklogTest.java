package io.memsession.tomcat;

import static io.memsession.tomcat.MemcachedCluster.nodeOf;
import static io.memsession.tomcat.MemcachedCluster.otherOf;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.WebClient;

/**
 * Sticky mode's asynchronous backlog while a memcached node stops answering under load (issue 15): the node holding
 * about half of the sessions is paused (SIGSTOP) for {@code backlog.pauseSeconds} (5 here; docs/operations.md has
 * the figures of a 30 s pause, {@code -Dbacklog.pauseSeconds=30}) while clients keep incrementing every session. The
 * queue holds a session at most once, so never more entries than sessions; when the node answers again every
 * session is in two places, its node and its second copy, with every increment its client saw, so a crash of the
 * Tomcat then loses nothing. The figures (queue, heap, latency) are printed.
 */
class AsyncBacklogTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    private static final int SESSIONS = 300;
    private static final int CLIENTS = 6;
    private static final int PAUSE_SECONDS = Integer.getInteger("backlog.pauseSeconds", 5);
    private static final int BEFORE = 0;
    private static final int PAUSED = 1;
    private static final int AFTER = 2;
    /** The first seconds of load, while the JIT compiles, and requests during the test's own collections. */
    private static final int UNCOUNTED = 3;

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose("shutdownNow")
    private final ExecutorService threads = Executors.newFixedThreadPool(CLIENTS + 1);
    private final AtomicReferenceArray<String> ids = new AtomicReferenceArray<>(SESSIONS);
    /** The counter each session's client last saw acknowledged. */
    private final int[] acknowledged = new int[SESSIONS];
    private final AtomicInteger unexpected = new AtomicInteger();
    private final Latencies latencies = new Latencies();
    private volatile int phase = UNCOUNTED;
    /** Odd while the test runs a full collection of its own. */
    private final AtomicInteger collections = new AtomicInteger();
    private volatile boolean loading = true;

    @Test
    void queueHoldsEachSessionOnceWhileANodeHangsAndEverySessionIsInTwoPlacesAfterwards() throws Exception {
        EmbeddedTomcat tc1 = tomcats.start("tc1", MEMCACHED.memcachedNodes(), "sessionBackupAsync", "true");
        EmbeddedTomcat tc2 = tomcats.start("tc2", MEMCACHED.memcachedNodes(), "sessionBackupAsync", "true");
        try (WebClient client = new WebClient()) {
            for (int i = 0; i < SESSIONS; i++) {
                client.clearCookies();
                Page first = Page.of(client.get(tc1.port(), "/"));
                ids.set(i, first.id());
                acknowledged[i] = first.counter();
            }
        }
        String paused = nodeOf(ids.get(0));
        long onPausedNode = IntStream.range(0, SESSIONS).filter(i -> nodeOf(ids.get(i)).equals(paused)).count();
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            int client = c;
            clients.add(threads.submit(() -> increment(tc1, client)));
        }
        Future<long[]> queue = threads.submit(() -> sampleQueue(tc1.manager()));

        SECONDS.sleep(2);
        phase = BEFORE;
        SECONDS.sleep(2); // load before the pause: the figures to compare with
        long heapBefore = liveHeap();
        MEMCACHED.process(paused).pause();
        phase = PAUSED;
        long heapPaused;
        try {
            SECONDS.sleep(PAUSE_SECONDS - 1L);
            heapPaused = liveHeap();
            SECONDS.sleep(1);
        } finally {
            MEMCACHED.process(paused).resume();
        }
        phase = AFTER;
        SECONDS.sleep(3);
        loading = false;
        for (Future<?> done : clients) {
            done.get(30, SECONDS);
        }
        long[] queued = queue.get(30, SECONDS);

        System.out.printf(Locale.ROOT, "async backlog, %d sessions (%d on node %s), %d clients, the node paused %d s:"
                        + " queue at most %d before the pause, %d during it, %d after; live heap %.1f MB before,"
                        + " %.1f MB paused; latency ms p50/p99/max before %s, paused %s, after %s; %d requests,"
                        + " %d failed writes, %d sessions moved%n", SESSIONS, onPausedNode, paused, CLIENTS,
                PAUSE_SECONDS, queued[BEFORE], queued[PAUSED], queued[AFTER], heapBefore / 1048576.0,
                heapPaused / 1048576.0, latencies.summary(BEFORE), latencies.summary(PAUSED),
                latencies.summary(AFTER), latencies.count(), tc1.manager().getMsmStatNumBackupFailures(),
                tc1.manager().getMsmStatNumMemcachedFailover());
        assertEquals(0, unexpected.get(), "answers whose counter was not the last acknowledged one plus one");
        assertTrue(Arrays.stream(queued).allMatch(most -> most <= SESSIONS),
                "the queue holds a session at most once: " + Arrays.toString(queued));
        assertEquals(SESSIONS, tc1.manager().getActiveSessions(), "each session once in Tomcat's memory");
        // every session on its node and in its second copy, with what its client saw: nothing waits to be written
        await().atMost(10, SECONDS).until(() -> notInTwoPlaces().isEmpty());
        try (WebClient client = new WebClient()) {
            for (int i = 0; i < SESSIONS; i++) {
                client.setCookie("JSESSIONID", ids.get(i));
                // tc1 runs on, but tc2 reads what memcached holds as if tc1 had been killed: nothing of tc1 is flushed
                assertEquals(acknowledged[i], Page.of(client.get(tc2.port(), "/read")).counter(), ids.get(i));
            }
        }
    }

    /** One client's share of the sessions, one increment after another. */
    private Void increment(EmbeddedTomcat tomcat, int client) {
        try (WebClient web = new WebClient()) {
            for (long round = 0; loading && round < 1_000_000; round++) {
                for (int i = client; i < SESSIONS && loading; i += CLIENTS) {
                    int during = phase;
                    int collectionsBefore = collections.get();
                    web.setCookie("JSESSIONID", ids.get(i));
                    long start = System.nanoTime();
                    Page page = Page.of(web.get(tomcat.port(), "/"));
                    long nanos = System.nanoTime() - start;
                    // one that waited for the test's own collection waited for the test, not for memsession
                    boolean collected = collectionsBefore % 2 == 1 || collections.get() != collectionsBefore;
                    latencies.add(collected ? UNCOUNTED : during, nanos);
                    if (page.counter() != acknowledged[i] + 1) {
                        unexpected.incrementAndGet();
                    }
                    acknowledged[i] = page.counter();
                    ids.set(i, page.id()); // moved off the paused node: the new id
                }
            }
        }
        return null;
    }

    /** The most sessions the asynchronous queue held at once, by phase, sampled every millisecond. */
    private long[] sampleQueue(MemcachedSessionManager manager) throws InterruptedException {
        long[] most = new long[4];
        while (loading) {
            int during = phase;
            most[during] = Math.max(most[during], manager.getMsmStatQueuedBackups());
            TimeUnit.MILLISECONDS.sleep(1);
        }
        return most;
    }

    /** Sessions whose node or second copy lacks the counter its client saw last. */
    private List<String> notInTwoPlaces() {
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            String id = ids.get(i);
            String node = nodeOf(id);
            String second = otherOf(node);
            String copyId = id.substring(0, id.indexOf('-') + 1) + second + id.substring(id.indexOf('.'));
            if (!Integer.valueOf(acknowledged[i]).equals(storedCounter(node, id))
                    || !Integer.valueOf(acknowledged[i]).equals(storedCounter(second, copyId))) {
                missing.add(id);
            }
        }
        return missing;
    }

    private static Object storedCounter(String node, String id) {
        byte[] blob = MEMCACHED.inspector(node).get(id);
        return blob == null ? null : StoredAttributes.of(blob).get("counter");
    }

    /** Heap in use after a full collection: what the JVM holds, the clients' garbage aside. */
    private long liveHeap() {
        collections.incrementAndGet();
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        collections.incrementAndGet();
        return used;
    }

    /**
     * Request latencies by phase, in 10 µs steps up to 100 ms (longer ones in the last step, the longest kept
     * exactly): a histogram of fixed size, so that measuring takes no heap that grows with the requests.
     */
    private static final class Latencies {

        private static final int STEPS = 10_000;
        private static final long STEP_NANOS = 10_000;
        private final AtomicLongArray[] counts = {new AtomicLongArray(STEPS + 1), new AtomicLongArray(STEPS + 1),
                new AtomicLongArray(STEPS + 1), new AtomicLongArray(STEPS + 1)};
        private final AtomicLongArray longest = new AtomicLongArray(4);

        void add(int phase, long nanos) {
            counts[phase].incrementAndGet((int) Math.min(STEPS, nanos / STEP_NANOS));
            longest.accumulateAndGet(phase, nanos, Math::max);
        }

        long count() {
            long all = 0;
            for (int phase = BEFORE; phase <= AFTER; phase++) {
                for (int step = 0; step <= STEPS; step++) {
                    all += counts[phase].get(step);
                }
            }
            return all;
        }

        /** p50/p99/max in ms. */
        String summary(int phase) {
            long total = 0;
            for (int step = 0; step <= STEPS; step++) {
                total += counts[phase].get(step);
            }
            return String.format(Locale.ROOT, "%.2f/%.2f/%.0f", percentile(phase, total, 0.5),
                    percentile(phase, total, 0.99), longest.get(phase) / 1e6);
        }

        /** The upper end of the step the percentile falls in, in ms. */
        private double percentile(int phase, long total, double fraction) {
            long seen = 0;
            for (int step = 0; step <= STEPS; step++) {
                seen += counts[phase].get(step);
                if (seen >= Math.ceil(total * fraction)) {
                    return (step + 1) * STEP_NANOS / 1e6;
                }
            }
            return Double.NaN;
        }
    }
}
