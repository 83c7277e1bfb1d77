package io.memsession.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Memories of what was seen lately, which a stream of distinct keys (one per request, say) must not grow. */
final class BoundedMaps {

    private BoundedMaps() {
    }

    /** A thread-safe map of at most {@code maxSize} entries that forgets the least recently used one first. */
    public static <K, V> Map<K, V> leastRecentlyUsed(int maxSize) {
        return Collections.synchronizedMap(new LinkedHashMap<K, V>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > maxSize;
            }
        });
    }
}
