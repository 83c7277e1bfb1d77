package io.memsession.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.memsession.testkit.RedisProcess;

class RedisStoreTest {

    @Test
    void theBenchmarksOwnStatisticsReadsAreNeitherCommandsNorWrites() {
        RedisProcess.requireInstalled();
        try (RedisStore store = RedisStore.start()) {
            for (int read = 0; read < 3; read++) {
                assertEquals(0, store.commands().total(), store.commands().perRequest(1));
                assertEquals(0, store.writes());
            }
            assertEquals(0, store.evictions());
        }
    }

    @Test
    void redissonIsPointedAtThisServer() {
        try (RedisStore store = RedisStore.start()) {
            String config = store.redissonConfig();
            assertTrue(config.startsWith("singleServerConfig:\n"), config);
            assertTrue(config.contains("address: \"redis://127.0.0.1:"), config);
            assertEquals(1, store.pids().size());
        }
    }
}
