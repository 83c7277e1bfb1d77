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
 * at once: the case locking exists for. Each session's answered increments are counted; when the load has stopped,
 * one more request reads each session's counter, and every increment a client was told about must be in it.
 */
final class HotSessionLoad {

    private final int port;
    private final List<String> sessionIds = new ArrayList<>();
    private final List<AtomicLong> answered = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<LatencyHistogram> latencies = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile boolean measuring;
    private volatile boolean stopped;

    private HotSessionLoad(int port) {
        this.port = port;
    }

    /** Creates the sessions (one request each) and starts one load thread per connection. */
    static HotSessionLoad start(int port, int sessions, int connections) {
        HotSessionLoad load = new HotSessionLoad(port);
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
            LatencyHistogram histogram = new LatencyHistogram();
            load.latencies.add(histogram);
            Thread thread = new Thread(() -> load.run(session, histogram), "hot-load-" + (i + 1));
            thread.setDaemon(true);
            load.threads.add(thread);
            thread.start();
        }
        return load;
    }

    private void run(int session, LatencyHistogram histogram) {
        try (WebClient client = new WebClient()) {
            client.setCookie(TrackedSession.COOKIE, sessionIds.get(session));
            while (!stopped) {
                long start = System.nanoTime();
                try {
                    WebClient.Response response = client.get(port, "/");
                    if (response.status() == 200) {
                        answered.get(session).incrementAndGet();
                        if (measuring) {
                            histogram.record(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
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

    /** Warms up, measures, stops the load and checks every session's counter. */
    Outcome run(Duration warmUp, Duration measurement) throws InterruptedException {
        Thread.sleep(warmUp.toMillis());
        long start = System.nanoTime();
        measuring = true;
        Thread.sleep(measurement.toMillis());
        measuring = false;
        long elapsedNanos = System.nanoTime() - start;
        stopped = true;
        for (Thread thread : threads) {
            thread.join();
        }
        LatencyHistogram all = new LatencyHistogram();
        latencies.forEach(all::add);
        long lost = 0;
        try (WebClient client = new WebClient()) {
            for (int i = 0; i < sessionIds.size(); i++) {
                client.setCookie(TrackedSession.COOKIE, sessionIds.get(i));
                int counter = (int) client.get(port, "/").counter();
                lost += answered.get(i).get() + 1 - counter;
            }
        }
        long requests = answered.stream().mapToLong(AtomicLong::get).sum() + errors.get();
        return new Outcome(all, elapsedNanos, requests, errors.get(), firstError.get(), lost);
    }

    /**
     * @param requests every request sent, warm-up included
     * @param lost increments answered with 200 but missing from the session's counter (negative: counted without
     *        an answer, e.g. a request whose connection failed)
     */
    record Outcome(LatencyHistogram latencies, long elapsedNanos, long requests, long errors, String firstError,
                   long lost) {

        double requestsPerSecond() {
            return latencies.count() * 1e9 / elapsedNanos;
        }
    }
}
