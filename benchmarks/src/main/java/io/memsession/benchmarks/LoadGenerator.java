package io.memsession.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.memsession.testkit.WebClient;

/**
 * Closed-loop load on one Tomcat: one thread per keep-alive connection, each owning a share of the sessions and
 * sending the next request as soon as the last answer is in, switching the session cookie before each request in
 * round robin, as many browsers behind one proxy connection would. Runs in slices ({@link SliceGate}); only
 * successful requests that complete during a slice count for its throughput and latency.
 */
final class LoadGenerator implements SlicedLoad {

    private static final Duration SESSION_CREATION_TIMEOUT = Duration.ofSeconds(60);
    /** The slowest pace of session creation allowed on top of that timeout, for runs with many sessions. */
    private static final int SESSIONS_CREATED_PER_MILLISECOND = 2;
    /** After a failed request a thread pauses, so a dead server is not hammered in a tight loop. */
    private static final long PAUSE_AFTER_ERROR_MILLIS = 10;

    private final int port;
    private final List<LoadThread> threads = new ArrayList<>();
    private final SliceGate gate;
    private final CountDownLatch sessionsCreated;
    private final AtomicReference<String> firstError = new AtomicReference<>();
    /** Errors before the slice under way; read and written only while the threads are parked. */
    private long errorsBefore;

    private LoadGenerator(int port, int sessions, int connections) {
        this.port = port;
        this.gate = new SliceGate(connections);
        this.sessionsCreated = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            threads.add(new LoadThread("load-" + port + "-" + (i + 1)));
        }
        for (int i = 0; i < sessions; i++) {
            threads.get(i % connections).sessions.add(new TrackedSession());
        }
    }

    /** Starts the load threads and returns once each has created its sessions (one request each). */
    static LoadGenerator start(int port, int sessions, int connections) throws InterruptedException {
        LoadGenerator load = new LoadGenerator(port, sessions, connections);
        load.threads.forEach(Thread::start);
        long timeoutMillis = SESSION_CREATION_TIMEOUT.toMillis() + sessions / SESSIONS_CREATED_PER_MILLISECOND;
        if (!load.sessionsCreated.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
            load.stop();
            throw new IllegalStateException("the sessions were not created within " + timeoutMillis / 1000
                    + " s; first error: " + load.firstError.get());
        }
        return load;
    }

    @Override
    public Slice run(Duration duration) throws InterruptedException {
        long elapsedNanos = gate.runFor(duration);
        LatencyHistogram latencies = new LatencyHistogram();
        for (LoadThread thread : threads) {
            latencies.add(thread.latencies);
            thread.latencies = new LatencyHistogram();
        }
        long errors = errors();
        Slice slice = new Slice(latencies, elapsedNanos, errors - errorsBefore, firstError.get());
        errorsBefore = errors;
        return slice;
    }

    @Override
    public void stop() throws InterruptedException {
        gate.stop();
        for (LoadThread thread : threads) {
            thread.join(); // each ends after its current request, bounded by the client's read timeout
        }
    }

    @Override
    public long errors() {
        return threads.stream().mapToLong(thread -> thread.errors).sum();
    }

    @Override
    public LostUpdates lostUpdatesOn(int port) {
        int checked = 0;
        int lost = 0;
        int sessions = 0;
        String firstLoss = null;
        try (WebClient client = new WebClient()) {
            for (LoadThread thread : threads) {
                for (TrackedSession session : thread.sessions) {
                    sessions++;
                    if (session.id() == null || session.isUncertain()) {
                        continue; // its last request failed: already an error, and its true counter is unknown
                    }
                    client.setCookie(TrackedSession.COOKIE, session.id());
                    WebClient.Response response = client.get(port, "/");
                    checked++;
                    if (response.status() != 200 || response.counter() != session.lastCounter() + 1) {
                        lost++;
                        if (firstLoss == null) {
                            firstLoss = "session " + session.id() + ": client saw " + session.lastCounter()
                                    + ", the fresh Tomcat answered HTTP " + response.status() + " "
                                    + response.body().strip();
                        }
                    }
                }
            }
        }
        return new LostUpdates(checked, sessions, lost, firstLoss);
    }

    private final class LoadThread extends Thread {

        final List<TrackedSession> sessions = new ArrayList<>();
        /** This slice's; replaced while the thread is parked. */
        LatencyHistogram latencies = new LatencyHistogram();
        /** Read while the thread is parked or gone. */
        long errors;

        LoadThread(String name) {
            super(name);
            setDaemon(true);
        }

        @Override
        public void run() {
            try (WebClient client = new WebClient()) {
                try {
                    for (TrackedSession session : sessions) {
                        send(client, session);
                    }
                } finally {
                    sessionsCreated.countDown();
                }
                for (int next = 0; gate.awaitRunning(); next = (next + 1) % sessions.size()) {
                    send(client, sessions.get(next));
                }
            }
        }

        private void send(WebClient client, TrackedSession session) {
            session.presentTo(client);
            long start = System.nanoTime();
            String problem;
            try {
                problem = session.accept(client.get(port, "/"), client);
            } catch (RuntimeException e) {
                session.failed();
                problem = e.toString();
            }
            long end = System.nanoTime();
            if (problem == null && gate.isRunning()) {
                latencies.record(TimeUnit.NANOSECONDS.toMicros(end - start));
            }
            if (problem != null) {
                errors++;
                firstError.compareAndSet(null, problem);
                pauseAfterError();
            }
        }

        private void pauseAfterError() {
            try {
                Thread.sleep(PAUSE_AFTER_ERROR_MILLIS);
            } catch (InterruptedException e) {
                interrupt();
            }
        }
    }
}
