package io.memsession.benchmarks;

import io.memsession.testkit.WebClient;

/**
 * One session of the load, as its client knows it: its id and the counter the sample application last answered.
 * Owned by one load thread at a time.
 */
final class TrackedSession {

    static final String COOKIE = "JSESSIONID";

    private String id;
    private int lastCounter;
    /** The last request of this session failed: whether the server counted it is unknown. */
    private boolean lastRequestFailed;

    String id() {
        return id;
    }

    int lastCounter() {
        return lastCounter;
    }

    /** Whether the counter the server holds is unknown, because the last request failed. */
    boolean isUncertain() {
        return lastRequestFailed;
    }

    /** Sends this session's cookie (none before the session exists) with the client's next request. */
    void presentTo(WebClient client) {
        if (id == null) {
            client.clearCookies();
        } else {
            client.setCookie(COOKIE, id);
        }
    }

    /**
     * Takes in the answer to this session's request. Returns null if it is the expected one (200, counter one up),
     * or what was wrong.
     */
    String accept(WebClient.Response response, WebClient client) {
        if (response.status() != 200) {
            lastRequestFailed = true;
            return "HTTP " + response.status();
        }
        id = client.cookie(COOKIE); // set by the first answer; would change only if the server renamed the session
        int counter = (int) response.counter();
        // After a failed request the server may or may not have counted it.
        boolean expected = lastRequestFailed ? counter > lastCounter : counter == lastCounter + 1;
        String problem = expected ? null : "counter " + counter + " after " + lastCounter + " in session " + id;
        lastCounter = counter;
        lastRequestFailed = false;
        return problem;
    }

    void failed() {
        lastRequestFailed = true;
    }
}
