package io.memsession.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MemcachedInspectorTest {

    private static MemcachedProcess memcached;
    private static MemcachedInspector inspector;

    @BeforeAll
    static void startMemcached() {
        memcached = MemcachedProcess.start();
        inspector = MemcachedInspector.connect(memcached);
    }

    @AfterAll
    static void stopMemcached() {
        inspector.close();
        memcached.close();
    }

    @BeforeEach
    void emptyCache() {
        inspector.flushAll();
    }

    @Test
    void setThenGetRoundTripsBinaryValues() {
        byte[] value = {0, 1, '\r', '\n', (byte) 0xff};
        inspector.set("binary", value, 0);
        assertArrayEquals(value, inspector.get("binary"));
        assertNull(inspector.get("absent"));
    }

    @Test
    void statsCountCommands() {
        long setsBefore = inspector.stat("cmd_set");
        long hitsBefore = inspector.stat("get_hits");

        inspector.set("counted", "x".getBytes(UTF_8), 0);
        inspector.get("counted");

        assertEquals(setsBefore + 1, inspector.stat("cmd_set"));
        assertEquals(hitsBefore + 1, inspector.stat("get_hits"));
        // curr_items would still count items flushed by earlier tests until memcached reclaims them
        assertEquals(List.of("counted"), inspector.keys());
        assertEquals("1.6", inspector.stats().get("version").substring(0, 3));
        assertThrows(IllegalArgumentException.class, () -> inspector.stat("no_such_stat"));
    }

    @Test
    void deleteReportsWhetherTheKeyExisted() {
        inspector.set("doomed", "x".getBytes(UTF_8), 0);
        assertTrue(inspector.delete("doomed"));
        assertFalse(inspector.delete("doomed"));
        assertNull(inspector.get("doomed"));
    }

    @Test
    void keysListsStoredKeysDecoded() {
        inspector.set("plain", "1".getBytes(UTF_8), 0);
        inspector.set("path/with%percent", "2".getBytes(UTF_8), 0);
        inspector.set("caf\u00e9", "3".getBytes(UTF_8), 0);

        assertEquals(Set.of("plain", "path/with%percent", "caf\u00e9"), new HashSet<>(inspector.keys()));
    }

    @Test
    void keysOmitsDeletedAndFlushedItems() {
        inspector.set("kept", "1".getBytes(UTF_8), 0);
        inspector.set("deleted", "2".getBytes(UTF_8), 0);
        inspector.delete("deleted");
        assertEquals(List.of("kept"), inspector.keys());

        inspector.flushAll();
        assertEquals(List.of(), inspector.keys());
    }

    @Test
    void repeatedMetadumpsWaitOutTheBusyCrawler() {
        inspector.set("k", "1".getBytes(UTF_8), 0);
        for (int i = 0; i < 20; i++) {
            assertEquals(List.of("k"), inspector.keys());
        }
    }

    @Test
    void expirationsAreAbsoluteServerTimes() {
        inspector.set("forever", "1".getBytes(UTF_8), 0);
        inspector.set("brief", "2".getBytes(UTF_8), 600);
        long serverTime = inspector.stat("time");

        Map<String, Long> expirations = inspector.expirations();

        assertEquals(-1L, expirations.get("forever"));
        long brief = expirations.get("brief");
        assertTrue(Math.abs(brief - (serverTime + 600)) <= 2, "exp=" + brief + ", time=" + serverTime);
    }

    @Test
    void reconnectsAfterTheServerRestarted() {
        try (MemcachedProcess own = MemcachedProcess.start();
             MemcachedInspector ownInspector = MemcachedInspector.connect(own)) {
            ownInspector.set("before", "1".getBytes(UTF_8), 0);

            own.restart();

            assertNull(ownInspector.get("before"));
            ownInspector.set("after", "2".getBytes(UTF_8), 0);
            assertArrayEquals("2".getBytes(UTF_8), ownInspector.get("after"));
        }
    }
}
