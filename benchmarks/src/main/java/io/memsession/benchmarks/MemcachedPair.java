package io.memsession.benchmarks;

import java.util.List;

import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;

/** Two memcached nodes, n1 and n2, for one memsession configuration's sessions. */
final class MemcachedPair implements AutoCloseable {

    /** memcached's item header, the key and memsession's stored-format header, rounded up. */
    private static final int ITEM_OVERHEAD_BYTES = 512;

    private final List<MemcachedProcess> nodes;
    private final List<MemcachedInspector> inspectors;

    private MemcachedPair(List<MemcachedProcess> nodes) {
        this.nodes = nodes;
        this.inspectors = nodes.stream().map(MemcachedInspector::connect).toList();
    }

    /**
     * With room on each node for every session and backup copy of {@code sessions} sessions of about
     * {@code sessionBytes} each, so that no eviction counts as a lost update: a node holds about half the sessions
     * and the copies of the other half, in memcached's slab classes, which waste up to a fifth of each item.
     */
    static MemcachedPair start(int sessions, int sessionBytes) {
        long megabytes = Math.max(64, ((long) sessions * (sessionBytes + ITEM_OVERHEAD_BYTES) * 3 / 2) >> 20);
        String[] memory = {"-m", Long.toString(megabytes)};
        MemcachedProcess n1 = MemcachedProcess.start(FreePorts.find(), memory);
        try {
            return new MemcachedPair(List.of(n1, MemcachedProcess.start(FreePorts.find(), memory)));
        } catch (RuntimeException e) {
            n1.close();
            throw e;
        }
    }

    /** memsession's {@code memcachedNodes} attribute for these nodes. */
    String memcachedNodes() {
        return "n1:" + nodes.get(0).address() + ",n2:" + nodes.get(1).address();
    }

    /** The memcached processes' ids, to read their CPU time. */
    List<Long> pids() {
        return nodes.stream().map(MemcachedProcess::pid).toList();
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
                sum("cmd_touch"), sum("bytes_read"));
    }

    /** @param bytesReceived what the nodes read from their connections: the sessions written, and every command */
    record Commands(long gets, long sets, long cas, long deletes, long touches, long bytesReceived) {

        static final Commands NONE = new Commands(0, 0, 0, 0, 0, 0);

        long total() {
            return gets + sets + cas + deletes + touches;
        }

        Commands since(Commands before) {
            return new Commands(gets - before.gets, sets - before.sets, cas - before.cas,
                    deletes - before.deletes, touches - before.touches, bytesReceived - before.bytesReceived);
        }

        String perRequest(long requests) {
            double n = Math.max(1, requests);
            return String.format(java.util.Locale.ROOT, "get %.2f, set/add %.2f, cas %.2f, delete %.2f, touch %.2f;"
                    + " memcached received %.0f bytes", gets / n, sets / n, cas / n, deletes / n, touches / n,
                    bytesReceived / n);
        }
    }

    @Override
    public void close() {
        inspectors.forEach(MemcachedInspector::close);
        nodes.forEach(MemcachedProcess::close);
    }
}
