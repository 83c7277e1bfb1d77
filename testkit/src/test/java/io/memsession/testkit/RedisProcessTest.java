package io.memsession.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RedisProcessTest {

    @Test
    void startsOnAFreeLoopbackPort() {
        RedisProcess.requireInstalled();
        try (RedisProcess redis = RedisProcess.start()) {
            assertTrue(redis.isRunning());
            assertEquals("127.0.0.1:" + redis.port(), redis.address());
            assertTrue(Loopback.accepts(redis.port()));
        }
    }

    @Test
    void inspectorCountsTheCommandsTheServerRan() {
        try (RedisProcess redis = RedisProcess.start()) {
            RedisInspector inspector = RedisInspector.of(redis);
            inspector.commandCalls();
            assertEquals(1L, inspector.commandCalls().get("info"), "the first INFO, counted once it had run");
            assertEquals(2L, inspector.commandCalls().get("info"));
        }
    }

    @Test
    void inspectorCountsTheBytesTheServerRead() {
        try (RedisProcess redis = RedisProcess.start()) {
            RedisInspector inspector = RedisInspector.of(redis);
            long first = inspector.bytesReceived();
            // the first INFO's bytes, "INFO stats" and CRLF, were read before it answered
            assertEquals(first + "INFO stats\r\n".length(), inspector.bytesReceived());
        }
    }

    @Test
    void killEndsTheServer() {
        try (RedisProcess redis = RedisProcess.start()) {
            redis.kill();
            assertFalse(redis.isRunning());
            assertFalse(Loopback.accepts(redis.port()));
        }
    }

    @Test
    void refusesAnOccupiedPort() {
        try (RedisProcess first = RedisProcess.start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RedisProcess.start(first.port()));
            assertTrue(e.getMessage().contains("already in use"), e.getMessage());
        }
    }

    @Test
    void reportsWhyRedisExitedDuringStartup() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RedisProcess.start(FreePorts.find(), "--no-such-option", "1"));
        assertTrue(e.getMessage().contains("exited with status"), e.getMessage());
        assertTrue(e.getMessage().contains("no-such-option"), "Redis's own words: " + e.getMessage());
    }
}
