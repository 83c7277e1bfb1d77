package io.memsession.tomcat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;

/**
 * The memcached nodes of a scenario test class, so that no class repeats their setup. Starting memcached takes
 * time, so each node id gets one {@link MemcachedProcess} (and a {@link MemcachedInspector} on it) for the whole
 * class; yet every test must see an empty memcached with its counters at zero, and a node that a test killed must
 * be back before the next test. Register it on a static field:
 *
 * <pre>{@code @RegisterExtension
 * static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");}</pre>
 */
final class MemcachedCluster implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private final List<String> nodeIds;
    private final Map<String, MemcachedProcess> processes = new LinkedHashMap<>();
    private final Map<String, MemcachedInspector> inspectors = new LinkedHashMap<>();

    MemcachedCluster(String... nodeIds) {
        if (nodeIds.length == 0) {
            throw new IllegalArgumentException("at least one node id");
        }
        this.nodeIds = List.of(nodeIds);
    }

    /** Starts one memcached per node id. */
    @Override
    public void beforeAll(ExtensionContext context) {
        for (String nodeId : nodeIds) {
            MemcachedProcess process = MemcachedProcess.start();
            processes.put(nodeId, process);
            inspectors.put(nodeId, MemcachedInspector.connect(process));
        }
    }

    /** Brings killed and paused nodes back, then empties every node and sets its statistics to zero. */
    @Override
    public void beforeEach(ExtensionContext context) {
        processes.forEach((nodeId, process) -> {
            if (process.isPaused()) {
                process.resume();
            }
            if (!process.isRunning()) {
                process.restart();
            }
            MemcachedInspector inspector = inspectors.get(nodeId);
            inspector.flushAll();
            inspector.resetStats();
        });
    }

    /** Closes the inspectors and stops the nodes (those that started, should {@link #beforeAll} have failed). */
    @Override
    public void afterAll(ExtensionContext context) {
        inspectors.values().forEach(MemcachedInspector::close);
        processes.values().forEach(MemcachedProcess::close);
        inspectors.clear();
        processes.clear();
    }

    MemcachedProcess process(String nodeId) {
        return get(processes, nodeId);
    }

    MemcachedInspector inspector(String nodeId) {
        return get(inspectors, nodeId);
    }

    /**
     * The {@code memcachedNodes} attribute for the given nodes, in that order ({@code n1:127.0.0.1:port,...}); for
     * every node of the cluster when no id is given.
     */
    String memcachedNodes(String... nodeIds) {
        List<String> nodes = new ArrayList<>();
        for (String nodeId : nodeIds.length == 0 ? this.nodeIds : List.of(nodeIds)) {
            nodes.add(nodeId + ":" + process(nodeId).address());
        }
        return String.join(",", nodes);
    }

    private <T> T get(Map<String, T> byNodeId, String nodeId) {
        if (!nodeIds.contains(nodeId)) {
            throw new IllegalArgumentException("no memcached node " + nodeId + " in " + nodeIds);
        }
        T value = byNodeId.get(nodeId);
        if (value == null) {
            throw new IllegalStateException("memcached node " + nodeId + " is not running: the cluster starts its"
                    + " nodes before all tests of the class that registers it, and stops them after");
        }
        return value;
    }

    /** The node id a session id names: {@code n1} in {@code <base>-n1.tc1} (or {@code <base>-n1}, without route). */
    static String nodeOf(String sessionId) {
        int dot = sessionId.indexOf('.');
        return sessionId.substring(sessionId.indexOf('-') + 1, dot < 0 ? sessionId.length() : dot);
    }

    /** Of the two nodes {@code n1} and {@code n2}, the one that is not {@code nodeId}. */
    static String otherOf(String nodeId) {
        return nodeId.equals("n1") ? "n2" : "n1";
    }
}
