package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.memsession.testkit.JavaProcess;
import io.memsession.testkit.MemcachedProcess;

/**
 * A JVM that did not run for longer than {@code operationTimeout} (a long garbage collection pause; here SIGSTOP)
 * while memcached answered does not blame the node: the answer waits in the socket, and is read once the JVM runs
 * again. Before, the deadline had passed by then, the read failed and the node was suspect, and so was every other
 * node with an operation under way: for a second, no session could be stored or found.
 */
class MemcachedStoreStallTest {

    private static final long TIMEOUT_MILLIS = 500;
    private static final Duration LINE_TIMEOUT = Duration.ofSeconds(20);

    @Test
    void anAnswerThatArrivedWhileThisJvmStoodStillIsReadAndTheNodeStaysInUse() {
        try (MemcachedProcess memcached = MemcachedProcess.start();
             JavaProcess client = JavaProcess.start(StalledStoreClient.class, memcached.address(),
                     String.valueOf(TIMEOUT_MILLIS))) {
            assertEquals("READY", client.nextLine(LINE_TIMEOUT));
            memcached.pause(); // the read waits for memcached until the client's JVM is stopped
            client.send("read");
            assertEquals("SENT", client.nextLine(LINE_TIMEOUT));
            client.pause();
            memcached.resume(); // it answers now, into the socket of a JVM that does not run
            sleepPastTheDeadline();
            client.resume();

            assertEquals("ANSWERED 7", client.nextLine(LINE_TIMEOUT));
            assertEquals("AVAILABLE true", client.nextLine(LINE_TIMEOUT), "the node is not suspect");

            memcached.pause(); // and a node that really does not answer still times out
            try {
                client.send("read");
                String sent = client.nextLine(LINE_TIMEOUT);
                String outcome = client.nextLine(LINE_TIMEOUT);
                assertEquals("SENT", sent);
                assertTrue(outcome.startsWith("TIMEOUT "), outcome);
                assertEquals("AVAILABLE false", client.nextLine(LINE_TIMEOUT));
            } finally {
                memcached.resume();
            }
        }
    }

    /** The stall is the scenario: longer than the timeout, with the answer long since arrived. */
    private static void sleepPastTheDeadline() {
        try {
            Thread.sleep(2 * TIMEOUT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
