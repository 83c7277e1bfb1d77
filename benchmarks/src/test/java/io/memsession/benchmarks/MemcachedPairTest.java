package io.memsession.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.memsession.testkit.MemcachedInspector;

class MemcachedPairTest {

    /** Sessions memcached drops for room must show as evictions, not only as lost sessions. */
    @Test
    void evictionsOnEitherNodeAreCounted() {
        try (MemcachedPair pair = MemcachedPair.start(1, 0)) { // the smallest nodes: 64 MB each
            assertEquals(0, pair.evictions());
            String n2 = pair.memcachedNodes().split(",")[1].substring("n2:".length());
            int colon = n2.lastIndexOf(':');
            try (MemcachedInspector node = new MemcachedInspector(n2.substring(0, colon),
                    Integer.parseInt(n2.substring(colon + 1)))) {
                byte[] value = new byte[200_000];
                for (int item = 0; item < 500; item++) { // 100 MB into 64
                    node.set("item" + item, value, 0);
                }
            }
            assertTrue(pair.evictions() > 0, "evictions: " + pair.evictions());
        }
    }
}
