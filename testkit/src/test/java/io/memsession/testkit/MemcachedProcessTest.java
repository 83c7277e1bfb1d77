package io.memsession.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemcachedProcessTest {

    @Test
    void startsOnAFreeLoopbackPort() {
        MemcachedProcess.requireInstalled();
        try (MemcachedProcess memcached = MemcachedProcess.start()) {
            assertTrue(memcached.isRunning());
            assertEquals("127.0.0.1:" + memcached.port(), memcached.address());
            assertTrue(Loopback.accepts(memcached.port()));
        }
    }

    @Test
    void killThenRestartServesAnEmptyCacheOnTheSamePort() {
        try (MemcachedProcess memcached = MemcachedProcess.start();
             MemcachedInspector inspector = MemcachedInspector.connect(memcached)) {
            inspector.set("survivor", "v".getBytes(UTF_8), 0);

            memcached.kill();
            assertFalse(memcached.isRunning());
            assertFalse(Loopback.accepts(memcached.port()));

            memcached.restart();
            assertTrue(memcached.isRunning());
            assertNull(inspector.get("survivor"), "a restarted memcached starts empty");
        }
    }

    @Test
    void pausedMemcachedAnswersNothingUntilResumedAndKeepsWhatItHeld() {
        try (MemcachedProcess memcached = MemcachedProcess.start();
             MemcachedInspector inspector = MemcachedInspector.connect(memcached)) {
            inspector.set("kept", "v".getBytes(UTF_8), 0);

            memcached.pause();
            assertTrue(memcached.isRunning());
            // the inspector's 5 s read timeout: the paused server accepts the connection but never answers
            assertThrows(java.io.UncheckedIOException.class, () -> inspector.get("kept"));

            memcached.resume();
            assertArrayEquals("v".getBytes(UTF_8), inspector.get("kept"));
        }
    }

    @Test
    void stopEndsTheProcessGracefully() {
        try (MemcachedProcess memcached = MemcachedProcess.start()) {
            memcached.stop();
            assertFalse(memcached.isRunning());
        }
    }

    @Test
    void passesExtraArguments() {
        try (MemcachedProcess memcached = MemcachedProcess.start(FreePorts.find(), "-I", "2m");
             MemcachedInspector inspector = MemcachedInspector.connect(memcached)) {
            byte[] large = new byte[1_500_000];
            inspector.set("large", large, 0);
            assertArrayEquals(large, inspector.get("large"));
        }
    }

    @Test
    void refusesAnOccupiedPort() {
        try (MemcachedProcess first = MemcachedProcess.start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MemcachedProcess.start(first.port()));
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
        }
    }

    @Test
    void reportsWhyMemcachedExitedDuringStartup() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MemcachedProcess.start(FreePorts.find(), "--no-such-option"));
        assertTrue(e.getMessage().contains("exited with status"), e.getMessage());
    }
}
