package io.memsession.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class PeriodicTaskTest {

    private static boolean threadAlive(String name) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(name) && t.isAlive());
    }

    /** What Tomcat checks right after a context's stop: no thread of the application left alive. */
    @Test
    void noThreadIsLeftAliveOnceStopReturns() throws InterruptedException {
        for (int round = 0; round < 50; round++) {
            String name = "periodic-test-" + round;
            CountDownLatch ran = new CountDownLatch(1);
            PeriodicTask task = PeriodicTask.start(name, 1, ran::countDown);
            assertTrue(ran.await(5, TimeUnit.SECONDS));
            task.stop(5000);
            assertFalse(threadAlive(name), name + " still alive after stop");
        }
    }

    @Test
    void aFailedRunDoesNotEndTheRunsToCome() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch third = new CountDownLatch(3);
        PeriodicTask task = PeriodicTask.start("periodic-failing", 1, () -> {
            runs.incrementAndGet();
            third.countDown();
            throw new IllegalStateException("planned");
        });
        try {
            assertTrue(third.await(5, TimeUnit.SECONDS), "ran " + runs.get() + " times");
        } finally {
            task.stop(5000);
        }
    }
}
