package io.memsession.benchmarks;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;

/** Two memcached nodes, n1 and n2, for one memsession configuration's sessions. */
final class MemcachedPair implements SessionStore {

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

    @Override
    public List<Long> pids() {
        return nodes.stream().map(MemcachedProcess::pid).toList();
    }

    /** A memcached statistic summed over both nodes. */
    private long sum(String statistic) {
        return inspectors.stream().mapToLong(inspector -> inspector.stat(statistic)).sum();
    }

    /** Every command the nodes received so far, by kind: get (and gets), set/add, cas, delete, touch. */
    @Override
    public StoreCommands commands() {
        long cas = sum("cas_hits") + sum("cas_misses") + sum("cas_badval");
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("get", sum("cmd_get"));
        counts.put("set/add", sum("cmd_set") - cas); // memcached counts every cas in cmd_set too
        counts.put("cas", cas);
        counts.put("delete", sum("delete_hits") + sum("delete_misses"));
        counts.put("touch", sum("cmd_touch"));
        return new StoreCommands(counts, sum("bytes_read"));
    }

    /** Sets, adds, cas and deletes: what a session manager writes, its locks included. */
    @Override
    public long writes() {
        return sum("cmd_set") + sum("delete_hits") + sum("delete_misses");
    }

    @Override
    public long evictions() {
        return sum("evictions");
    }

    @Override
    public void close() {
        inspectors.forEach(MemcachedInspector::close);
        nodes.forEach(MemcachedProcess::close);
    }
}
