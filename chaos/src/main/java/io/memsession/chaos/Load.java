package io.memsession.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.memsession.testkit.WebClient;

/**
 * The clients: one thread per client session, a few threads per hot session, one thread that gives each idle
 * session an increment every {@link #IDLE_PERIOD}. Every request goes through the load balancer.
 */
final class Load {

    static final String COOKIE = "JSESSIONID";
    static final Duration IDLE_PERIOD = Duration.ofSeconds(8);
    /** Longer than the balancers' 15 s wait for a Tomcat, so their answer (504) arrives, not a timeout of ours. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);
    private static final long PAUSE_AFTER_ERROR_MILLIS = 20;

    private final int port;
    private final int thinkMillis;
    private final Timeline timeline;
    private final List<CountedSession> sessions = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    Load(int port, ChaosOptions options, Timeline timeline) {
        this.port = port;
        this.thinkMillis = options.thinkMillis();
        this.timeline = timeline;
        for (int i = 0; i < options.clients(); i++) {
            CountedSession session = new CountedSession(CountedSession.Kind.CLIENT);
            sessions.add(session);
            threads.add(thread("client-" + (i + 1), () -> {
                try (WebClient client = new WebClient(READ_TIMEOUT)) {
                    while (!stopped) {
                        increment(client, session);
                        pause(thinkMillis);
                    }
                }
            }));
        }
        for (int i = 0; i < options.hotSessions(); i++) {
            CountedSession session = new CountedSession(CountedSession.Kind.HOT);
            sessions.add(session);
            try (WebClient client = new WebClient(READ_TIMEOUT)) {
                increment(client, session); // its id, before its threads share it
            }
            for (int j = 0; j < options.hotClients(); j++) {
                threads.add(thread("hot-" + (i + 1) + "-" + (j + 1), () -> {
                    try (WebClient client = new WebClient(READ_TIMEOUT)) {
                        while (!stopped) {
                            increment(client, session);
                            pause(thinkMillis);
                        }
                    }
                }));
            }
        }
        List<CountedSession> idle = new ArrayList<>();
        for (int i = 0; i < options.idleSessions(); i++) {
            idle.add(new CountedSession(CountedSession.Kind.IDLE));
        }
        sessions.addAll(idle);
        if (!idle.isEmpty()) {
            long spacing = IDLE_PERIOD.toMillis() / idle.size();
            threads.add(thread("idle", () -> {
                try (WebClient client = new WebClient(READ_TIMEOUT)) {
                    for (int next = 0; !stopped; next = (next + 1) % idle.size()) {
                        increment(client, idle.get(next));
                        pause(spacing);
                    }
                }
            }));
        }
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, "chaos-" + name);
        thread.setDaemon(true);
        return thread;
    }

    void start() {
        threads.forEach(Thread::start);
    }

    /** Stops the clients; each ends after its current request, which the read timeout bounds. */
    void stop() throws InterruptedException {
        stopped = true;
        for (Thread thread : threads) {
            thread.join(READ_TIMEOUT.toMillis() * 2);
        }
    }

    List<CountedSession> sessions() {
        return sessions;
    }

    private void increment(WebClient client, CountedSession session) {
        String presented = session.id();
        if (presented == null) {
            client.clearCookies();
        } else {
            client.setCookie(COOKIE, presented);
        }
        CountedSession.Sent sent = session.send();
        int status = Timeline.NO_ANSWER;
        try {
            // a POST, which no balancer sends twice: httpd sends a GET again to another Tomcat when the first one
            // dies before answering, and a counter behind a GET would then count one click twice
            WebClient.Response response = client.post(port, "/counter.jsp", Map.of());
            status = response.status();
            long counter = status == 200 ? response.counter() : -1;
            if (counter > 0) {
                String problem = session.answered(counter, sent, presented, client.cookie(COOKIE));
                timeline.answered();
                if (problem != null) {
                    timeline.problem(problem);
                }
                return;
            }
        } catch (RuntimeException noAnswer) {
            // counted below: the request may or may not have been applied
        }
        session.failed();
        timeline.error(status);
        pause(PAUSE_AFTER_ERROR_MILLIS);
    }

    /**
     * The counter the session holds, read after the load (without incrementing) with its last id; 0 if the
     * session is gone, -1 if no Tomcat answered within a few tries.
     */
    long read(WebClient client, CountedSession session) {
        client.clearCookies();
        client.setCookie(COOKIE, session.id());
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                WebClient.Response response = client.get(port, "/counter.jsp?read");
                if (response.status() == 200) {
                    return response.counter();
                }
            } catch (RuntimeException e) {
                // tried again
            }
            pause(500);
        }
        return -1;
    }

    private static void pause(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
