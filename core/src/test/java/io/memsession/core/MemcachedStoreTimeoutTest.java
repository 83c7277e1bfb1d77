package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.testkit.MemcachedProcess;

/**
 * {@code operationTimeout} counts from when an operation is sent: operations sent together to a node that stops
 * answering (a writer thread's batch, a write and its second copy) fail together after one timeout, not one timeout
 * after the other while the sessions they write wait.
 */
class MemcachedStoreTimeoutTest {

    private static final int WRITES = 8;
    private static final long TIMEOUT_MILLIS = 1000;

    @Test
    void writesSentTogetherToANodeThatStopsAnsweringFailAfterOneTimeout() throws Exception {
        try (MemcachedProcess memcached = MemcachedProcess.start();
             MemcachedStore store = MemcachedStore.connect(new ConfigurationBuilder()
                     .set("memcachedNodes", "n1:" + memcached.address())
                     .set("operationTimeout", String.valueOf(TIMEOUT_MILLIS)).build())) {
            memcached.pause();
            try {
                List<Pending<Boolean>> writes = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    writes.add(store.startSet("n1", "session" + i, 60, new byte[] {1}));
                }
                long start = System.nanoTime();
                int failed = 0;
                for (Pending<Boolean> write : writes) {
                    try {
                        write.await(TIMEOUT_MILLIS);
                    } catch (StoreException expected) {
                        failed++;
                    }
                }
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                assertEquals(WRITES, failed);
                assertTrue(millis < 2 * TIMEOUT_MILLIS, WRITES + " writes sent together took " + millis
                        + " ms to fail, not about one operationTimeout (" + TIMEOUT_MILLIS + " ms)");
            } finally {
                memcached.resume();
            }
        }
    }
}
