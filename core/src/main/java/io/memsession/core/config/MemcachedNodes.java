package io.memsession.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parsed {@code memcachedNodes} and {@code failoverNodes} attributes: the memcached servers in configuration
 * order, and which of them are used only when no other one is up.
 */
public final class MemcachedNodes {

    private static final Pattern NODE = Pattern.compile("(\\w+):([^:\\s,]+):(\\d{1,5})");
    private static final Pattern SINGLE_NODE_WITHOUT_ID = Pattern.compile("([^:\\s,]+):(\\d{1,5})");
    private static final String EXPECTED = "expected a list of nodeId:host:port separated by commas or spaces "
            + "(e.g. n1:mc1:11211,n2:mc2:11211), or a single host:port";

    private final List<MemcachedNode> nodes;
    private final List<String> primaryIds;
    private final List<String> failoverIds;

    private MemcachedNodes(List<MemcachedNode> nodes, List<String> primaryIds, List<String> failoverIds) {
        this.nodes = Collections.unmodifiableList(nodes);
        this.primaryIds = Collections.unmodifiableList(primaryIds);
        this.failoverIds = Collections.unmodifiableList(failoverIds);
    }

    /**
     * @throws ConfigurationException naming {@code memcachedNodes} or {@code failoverNodes}
     */
    public static MemcachedNodes parse(String memcachedNodes, String failoverNodes) {
        if (memcachedNodes == null || memcachedNodes.trim().isEmpty()) {
            throw new ConfigurationException("Manager attribute memcachedNodes is required: " + EXPECTED);
        }
        String value = memcachedNodes.trim();
        if (value.contains("://")) {
            // redis://host:6379 would otherwise pass for a node "redis" on host "//host"
            throw new ConfigurationException("memcachedNodes", memcachedNodes, "memcached-session-manager's Redis "
                    + "and Couchbase URLs have no counterpart: memsession stores sessions in memcached only; "
                    + EXPECTED);
        }
        List<MemcachedNode> nodes = new ArrayList<>();
        Matcher single = SINGLE_NODE_WITHOUT_ID.matcher(value);
        if (single.matches()) {
            nodes.add(new MemcachedNode(null, single.group(1), port(single.group(2), memcachedNodes)));
        } else {
            Set<String> seen = new LinkedHashSet<>();
            for (String entry : value.split("[\\s,]+")) {
                Matcher m = NODE.matcher(entry);
                if (!m.matches()) {
                    throw new ConfigurationException("memcachedNodes", memcachedNodes,
                            "'" + entry + "' is not nodeId:host:port; " + EXPECTED);
                }
                if (!seen.add(m.group(1))) {
                    throw new ConfigurationException("memcachedNodes", memcachedNodes,
                            "node id '" + m.group(1) + "' is used twice");
                }
                nodes.add(new MemcachedNode(m.group(1), m.group(2), port(m.group(3), memcachedNodes)));
            }
        }

        List<String> failoverIds = new ArrayList<>();
        if (failoverNodes != null && !failoverNodes.trim().isEmpty()) {
            if (nodes.get(0).id() == null) {
                throw new ConfigurationException("failoverNodes", failoverNodes,
                        "failover nodes need memcachedNodes with node ids (nodeId:host:port), and at least two");
            }
            for (String id : failoverNodes.trim().split("[\\s,]+")) {
                if (findNode(nodes, id) == null) {
                    throw new ConfigurationException("failoverNodes", failoverNodes,
                            "'" + id + "' is not a node id of memcachedNodes");
                }
                if (!failoverIds.contains(id)) {
                    failoverIds.add(id);
                }
            }
        }
        List<String> primaryIds = new ArrayList<>();
        for (MemcachedNode node : nodes) {
            if (node.id() != null && !failoverIds.contains(node.id())) {
                primaryIds.add(node.id());
            }
        }
        if (!failoverIds.isEmpty() && primaryIds.isEmpty()) {
            throw new ConfigurationException("failoverNodes", failoverNodes,
                    "every node is a failover node; at least one node of memcachedNodes must not be");
        }
        return new MemcachedNodes(nodes, primaryIds, failoverIds);
    }

    private static int port(String text, String attributeValue) {
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new ConfigurationException("memcachedNodes", attributeValue, "port " + text + " is out of range");
        }
        return port;
    }

    private static MemcachedNode findNode(List<MemcachedNode> nodes, String id) {
        for (MemcachedNode node : nodes) {
            if (id.equals(node.id())) {
                return node;
            }
        }
        return null;
    }

    /** All nodes, in configuration order. */
    public List<MemcachedNode> all() {
        return nodes;
    }

    /** Whether session ids carry a node id: true unless the configuration is a single {@code host:port}. */
    public boolean encodesNodeIds() {
        return nodes.get(0).id() != null;
    }

    /** Ids of the nodes that new sessions go to, in configuration order. */
    public List<String> primaryIds() {
        return primaryIds;
    }

    /** Ids of the nodes used only when no primary node is up. */
    public List<String> failoverIds() {
        return failoverIds;
    }

    public MemcachedNode node(String id) {
        return findNode(nodes, id);
    }

    public boolean contains(String id) {
        return findNode(nodes, id) != null;
    }

    @Override
    public String toString() {
        return nodes + (failoverIds.isEmpty() ? "" : " failover " + failoverIds);
    }
}
