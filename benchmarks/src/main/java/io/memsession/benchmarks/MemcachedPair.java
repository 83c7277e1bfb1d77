package io.memsession.benchmarks;

import java.util.List;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;

/** The two memcached nodes n1 and n2 the memsession configurations store their sessions in. */
final class MemcachedPair implements AutoCloseable {

    private final List<MemcachedProcess> nodes;
    private final List<MemcachedInspector> inspectors;

    private MemcachedPair(List<MemcachedProcess> nodes) {
        this.nodes = nodes;
        this.inspectors = nodes.stream().map(MemcachedInspector::connect).toList();
    }

    static MemcachedPair start() {
        MemcachedProcess n1 = MemcachedProcess.start();
        try {
            return new MemcachedPair(List.of(n1, MemcachedProcess.start()));
        } catch (RuntimeException e) {
            n1.close();
            throw e;
        }
    }

    /** memsession's {@code memcachedNodes} attribute for these nodes. */
    String memcachedNodes() {
        return "n1:" + nodes.get(0).address() + ",n2:" + nodes.get(1).address();
    }

    /** Empties both nodes and zeroes their counters, so one configuration never sees the last one's sessions. */
    void reset() {
        for (MemcachedInspector inspector : inspectors) {
            inspector.flushAll();
            inspector.resetStats();
        }
    }

    /** Store commands received by both nodes so far ({@code cmd_set}, which counts every set). */
    long sets() {
        return sum("cmd_set");
    }

    /** A memcached statistic summed over both nodes. */
    long sum(String statistic) {
        return inspectors.stream().mapToLong(inspector -> inspector.stat(statistic)).sum();
    }

    /** Every command the nodes received so far, by kind: get (and gets), set (and add), cas, delete, touch. */
    Commands commands() {
        long cas = sum("cas_hits") + sum("cas_misses") + sum("cas_badval");
        // memcached counts every cas in cmd_set too
        return new Commands(sum("cmd_get"), sum("cmd_set") - cas, cas, sum("delete_hits") + sum("delete_misses"),
                sum("cmd_touch"));
    }

    record Commands(long gets, long sets, long cas, long deletes, long touches) {

        Commands since(Commands before) {
            return new Commands(gets - before.gets, sets - before.sets, cas - before.cas,
                    deletes - before.deletes, touches - before.touches);
        }

        String perRequest(long requests) {
            double n = Math.max(1, requests);
            return String.format(java.util.Locale.ROOT, "get %.2f, set/add %.2f, cas %.2f, delete %.2f, touch %.2f",
                    gets / n, sets / n, cas / n, deletes / n, touches / n);
        }
    }

    @Override
    public void close() {
        inspectors.forEach(MemcachedInspector::close);
        nodes.forEach(MemcachedProcess::close);
    }
}
