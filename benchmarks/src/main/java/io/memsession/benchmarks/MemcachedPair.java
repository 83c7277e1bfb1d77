package io.memsession.benchmarks;

import java.util.List;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;

/** Two memcached nodes, n1 and n2, for one memsession configuration's sessions. */
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
                sum("cmd_touch"));
    }

    record Commands(long gets, long sets, long cas, long deletes, long touches) {

        static final Commands NONE = new Commands(0, 0, 0, 0, 0);

        long total() {
            return gets + sets + cas + deletes + touches;
        }

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
