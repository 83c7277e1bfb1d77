package io.memsession.benchmarks;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The commands a session store executed, by kind in the store's own order: memcached's get, set/add, cas,
 * delete, touch; Redis's command names.
 *
 * @param bytesReceived what the store read from its connections: the sessions written, and every command
 */
record StoreCommands(Map<String, Long> counts, long bytesReceived) {

    static final StoreCommands NONE = new StoreCommands(Map.of(), 0);

    long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** What was executed after {@code before}. */
    StoreCommands since(StoreCommands before) {
        Map<String, Long> delta = new LinkedHashMap<>();
        counts.forEach((kind, count) -> delta.put(kind, count - before.counts.getOrDefault(kind, 0L)));
        return new StoreCommands(delta, bytesReceived - before.bytesReceived);
    }

    /**
     * Each kind that occurred, per request, and the bytes received, e.g. "get 1.00, set/add 1.00; received 2500
     * bytes"; "none" for the kinds if nothing occurred.
     */
    String perRequest(long requests) {
        double n = Math.max(1, requests);
        StringBuilder text = new StringBuilder();
        counts.forEach((kind, count) -> {
            if (count != 0) {
                text.append(text.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s %.2f", kind, count / n));
            }
        });
        return (text.isEmpty() ? "none" : text.toString())
                + String.format(Locale.ROOT, "; received %.0f bytes", bytesReceived / n);
    }
}
