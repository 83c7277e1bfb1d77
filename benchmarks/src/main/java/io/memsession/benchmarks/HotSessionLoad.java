package io.memsession.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.memsession.testkit.WebClient;

/**
 * Closed-loop load in which every connection uses one of a few sessions, so that many requests of one session run
 * at once: the case locking exists for. Runs in slices ({@link SliceGate}). Each session's answered increments are
 * counted; when the load has stopped, one more request reads each session's counter, and every increment a client
 * was told about must be in it.
 */
final class HotSessionLoad implements SlicedLoad {

    private final int port;
    private final SliceGate gate;
    private final List<String> sessionIds = new ArrayList<>();
    private final List<AtomicLong> answered = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** Per thread, this slice's; replaced while the threads are parked. */
    private final List<LatencyHistogram> latencies = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    /** Errors before the slice under way. */
    private long errorsBefore;

    private HotSessionLoad(int port, int connections) {
        this.port = port;
        this.gate = new SliceGate(connections);
    }

    /** Creates the sessions (one request each) and starts one load thread per connection, parked until a slice. */
    static HotSessionLoad start(int port, int sessions, int connections) {
        HotSessionLoad load = new HotSessionLoad(port, connections);
        try (WebClient client = new WebClient()) {
            for (int i = 0; i < sessions; i++) {
                client.clearCookies();
                WebClient.Response response = client.get(port, "/");
                if (response.status() != 200 || response.counter() != 1) {
                    throw new IllegalStateException("could not create a session: " + response);
                }
                load.sessionIds.add(client.cookie(TrackedSession.COOKIE));
                load.answered.add(new AtomicLong(1));
            }
        }
        for (int i = 0; i < connections; i++) {
            int session = i % sessions;
            int thread = i;
            load.latencies.add(new LatencyHistogram());
            Thread loadThread = new Thread(() -> load.run(session, thread), "hot-load-" + port + "-" + (i + 1));
            loadThread.setDaemon(true);
            load.threads.add(loadThread);
            loadThread.start();
        }
        return load;
    }

    private void run(int session, int thread) {
        try (WebClient client = new WebClient()) {
            client.setCookie(TrackedSession.COOKIE, sessionIds.get(session));
            while (gate.awaitRunning()) {
                long start = System.nanoTime();
                try {
                    WebClient.Response response = client.get(port, "/");
                    if (response.status() == 200) {
                        answered.get(session).incrementAndGet();
                        if (gate.isRunning()) {
                            latencies.get(thread).record(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
                        }
                        continue;
                    }
                    error("HTTP " + response.status() + " " + response.body().strip());
                } catch (RuntimeException e) {
                    error(e.toString());
                }
            }
        }
    }

    private void error(String problem) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, problem);
    }

    @Override
    public Slice run(Duration duration) throws InterruptedException {
        long elapsedNanos = gate.runFor(duration);
        LatencyHistogram all = new LatencyHistogram();
        for (int i = 0; i < latencies.size(); i++) {
            all.add(latencies.get(i));
            latencies.set(i, new LatencyHistogram());
        }
        long errorsNow = errors.get();
        Slice slice = new Slice(all, elapsedNanos, errorsNow - errorsBefore, firstError.get());
        errorsBefore = errorsNow;
        return slice;
    }

    @Override
    public void stop() throws InterruptedException {
        gate.stop();
        for (Thread thread : threads) {
            thread.join();
        }
    }

    @Override
    public long errors() {
        return errors.get();
    }

    /**
     * Counts increments answered with 200 but missing from the session's counter. A failed request may have been
     * counted without an answer, so a counter above the answered increments is no loss.
     */
    @Override
    public LostUpdates lostUpdatesOn(int port) {
        long lost = 0;
        String firstLoss = null;
        try (WebClient client = new WebClient()) {
            for (int i = 0; i < sessionIds.size(); i++) {
                client.setCookie(TrackedSession.COOKIE, sessionIds.get(i));
                WebClient.Response response = client.get(port, "/");
                long expected = answered.get(i).get() + 1;
                long missing = response.status() == 200 ? Math.max(0, expected - response.counter()) : expected;
                if (missing > 0 && firstLoss == null) {
                    firstLoss = "session " + sessionIds.get(i) + ": " + (expected - 1) + " increments answered,"
                            + " the fresh Tomcat answered HTTP " + response.status() + " " + response.body().strip();
                }
                lost += missing;
            }
        }
        return new LostUpdates(sessionIds.size(), sessionIds.size(), lost, firstLoss);
    }
}
