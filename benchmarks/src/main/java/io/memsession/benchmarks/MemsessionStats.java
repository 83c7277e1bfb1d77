package io.memsession.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;

import io.memsession.testkit.WebClient;

/**
 * memsession's statistics as the sample application's {@code /memsession-stats} shows them: one
 * {@code msmStatName=value} line each, the {@code ...Info} ones as {@code Count = n, Min = x, Avg = y, Max = z}.
 */
final class MemsessionStats {

    private final Map<String, String> values;

    private MemsessionStats(Map<String, String> values) {
        this.values = values;
    }

    static MemsessionStats fetch(int port) {
        try (WebClient client = new WebClient()) {
            WebClient.Response response = client.get(port, "/memsession-stats");
            if (response.status() != 200) {
                throw new IllegalStateException("/memsession-stats answered HTTP " + response.status());
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String line : response.body().split("\n")) {
                int equals = line.indexOf('=');
                if (equals > 0) {
                    values.put(line.substring(0, equals), line.substring(equals + 1));
                }
            }
            return new MemsessionStats(values);
        }
    }

    long number(String name) {
        return Long.parseLong(value(name));
    }

    /** One figure of a {@code ...Info} statistic: "Count", "Min", "Avg" or "Max". */
    long figure(String name, String figure) {
        for (String part : value(name).split(",")) {
            String[] pair = part.split("=");
            if (pair.length == 2 && pair[0].trim().equals(figure)) {
                return Long.parseLong(pair[1].trim());
            }
        }
        throw new IllegalStateException(name + " has no " + figure + ": " + value(name));
    }

    private String value(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalStateException("/memsession-stats does not show " + name + "; it shows "
                    + values.keySet());
        }
        return value;
    }
}
