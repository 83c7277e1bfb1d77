package io.memsession.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StoreCommandsTest {

    private static StoreCommands commands(long bytesReceived, Object... kindsAndCounts) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < kindsAndCounts.length; i += 2) {
            counts.put((String) kindsAndCounts[i], ((Number) kindsAndCounts[i + 1]).longValue());
        }
        return new StoreCommands(counts, bytesReceived);
    }

    @Test
    void sinceCountsWhatRanInBetweenAndKindsSeenOnlyAfterFromZero() {
        StoreCommands before = commands(1_000, "hset", 10, "pexpire", 4);
        StoreCommands after = commands(3_500, "hset", 30, "pexpire", 4, "publish", 5);

        StoreCommands between = after.since(before);

        assertEquals(commands(2_500, "hset", 20, "pexpire", 0, "publish", 5), between);
        assertEquals(25, between.total());
    }

    @Test
    void perRequestShowsTheKindsThatOccurredInTheStoresOrder() {
        StoreCommands commands = commands(250_000, "get", 200, "set/add", 0, "cas", 100);

        assertEquals("get 2.00, cas 1.00; received 2500 bytes", commands.perRequest(100));
        assertEquals("none; received 0 bytes", commands(0, "get", 0).perRequest(100));
        assertEquals("none; received 0 bytes", StoreCommands.NONE.perRequest(0));
    }
}
