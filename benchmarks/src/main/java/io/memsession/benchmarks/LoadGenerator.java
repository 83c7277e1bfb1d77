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
 * round robin, as many browsers behind one proxy connection would. Only successful requests that complete during
 * the measurement count for throughput and latency; every failed request, warm-up included, counts as an error.
 */
final class LoadGenerator {

    private static final Duration SESSION_CREATION_TIMEOUT = Duration.ofSeconds(60);
    /** After a failed request a thread pauses, so a dead server is not hammered in a tight loop. */
    private static final long PAUSE_AFTER_ERROR_MILLIS = 10;

    private enum Phase { WARM_UP, MEASUREMENT, STOPPED }

    private final int port;
    private final List<LoadThread> threads = new ArrayList<>();
    private final CountDownLatch sessionsCreated;
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile Phase phase = Phase.WARM_UP;

    private LoadGenerator(int port, int sessions, int connections) {
        this.port = port;
        this.sessionsCreated = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            threads.add(new LoadThread("load-" + (i + 1)));
        }
        for (int i = 0; i < sessions; i++) {
            threads.get(i % connections).sessions.add(new TrackedSession());
        }
    }

    /** Starts the load threads and returns once each has created its sessions (one request each). */
    static LoadGenerator start(int port, int sessions, int connections) throws InterruptedException {
        LoadGenerator load = new LoadGenerator(port, sessions, connections);
        load.threads.forEach(Thread::start);
        if (!load.sessionsCreated.await(SESSION_CREATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            load.stop();
            throw new IllegalStateException("the sessions were not created within "
                    + SESSION_CREATION_TIMEOUT.toSeconds() + " s; first error: " + load.firstError.get());
        }
        return load;
    }

    void warmUp(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    /** Measures for {@code duration}, then stops the load; returns the requests completed meanwhile. */
    Measurement measure(Duration duration) throws InterruptedException {
        long start = System.nanoTime();
        phase = Phase.MEASUREMENT;
        Thread.sleep(duration.toMillis());
        phase = Phase.STOPPED;
        long elapsedNanos = System.nanoTime() - start;
        stop();
        LatencyHistogram latencies = new LatencyHistogram();
        long errors = 0;
        List<TrackedSession> sessions = new ArrayList<>();
        for (LoadThread thread : threads) {
            latencies.add(thread.latencies);
            errors += thread.errors;
            sessions.addAll(thread.sessions);
        }
        return new Measurement(latencies, elapsedNanos, errors, firstError.get(), List.copyOf(sessions));
    }

    private void stop() throws InterruptedException {
        phase = Phase.STOPPED;
        for (LoadThread thread : threads) {
            thread.join(); // each ends after its current request, bounded by the client's read timeout
        }
    }

    /**
     * @param latencies of the successful requests completed during the measurement
     * @param errors failed requests over the whole run, warm-up included
     * @param sessions every session with the counter its client saw last, once the load stopped
     */
    record Measurement(LatencyHistogram latencies, long elapsedNanos, long errors, String firstError,
                       List<TrackedSession> sessions) {

        long requests() {
            return latencies.count();
        }

        double requestsPerSecond() {
            return requests() * 1e9 / elapsedNanos;
        }
    }

    private final class LoadThread extends Thread {

        final List<TrackedSession> sessions = new ArrayList<>();
        final LatencyHistogram latencies = new LatencyHistogram();
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
                for (int next = 0; phase != Phase.STOPPED; next = (next + 1) % sessions.size()) {
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
            if (problem == null && phase == Phase.MEASUREMENT) {
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
