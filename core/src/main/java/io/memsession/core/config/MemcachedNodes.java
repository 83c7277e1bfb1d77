package io.memsession.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memcached nodes: parsed from the {@code memcachedNodes} and {@code failoverNodes} attributes (the servers in
 * configuration order, and which of them are used only when no other one is up), or, for a configuration endpoint
 * ({@code memcachedNodes="config:host:port"}), the nodes it listed lately. Immutable: a changed list is a new
 * object, swapped in as a whole.
 *
 * <p>A node a configuration endpoint stopped listing stays known, as a node that is down for good: the ids of the
 * sessions it held still name it, and its sessions are found again the way they are after a node died. It is
 * listed by {@link #all()} and {@link #ids()}, never by {@link #present()} nor {@link #primaryIds()}.
 */
public final class MemcachedNodes {

    private static final Pattern NODE = Pattern.compile("(\\w+):([^:\\s,]+):(\\d{1,5})");
    private static final Pattern SINGLE_NODE_WITHOUT_ID = Pattern.compile("([^:\\s,]+):(\\d{1,5})");
    private static final Pattern CONFIG_ENDPOINT = Pattern.compile("config:([^:\\s,]+):(\\d{1,5})");
    private static final String EXPECTED = "expected a list of nodeId:host:port separated by commas or spaces "
            + "(e.g. n1:mc1:11211,n2:mc2:11211), a single host:port, or config:host:port for a configuration "
            + "endpoint";
    /** Discovered nodes are in the order of their ids, which every Tomcat computes alike. */
    private static final Comparator<MemcachedNode> BY_ID = Comparator.comparing(MemcachedNode::id);

    private final List<MemcachedNode> nodes;
    private final List<MemcachedNode> present;
    private final List<String> ids;
    private final List<String> primaryIds;
    private final List<String> failoverIds;
    private final boolean encodesNodeIds;
    /** The configuration endpoint, with no id; null for a fixed list. */
    private final MemcachedNode endpoint;

    private MemcachedNodes(List<MemcachedNode> nodes, List<MemcachedNode> present, List<String> primaryIds,
                           List<String> failoverIds, boolean encodesNodeIds, MemcachedNode endpoint) {
        this.nodes = Collections.unmodifiableList(nodes);
        this.present = Collections.unmodifiableList(present);
        List<String> allIds = new ArrayList<>();
        for (MemcachedNode node : nodes) {
            if (node.id() != null) {
                allIds.add(node.id());
            }
        }
        this.ids = Collections.unmodifiableList(allIds);
        this.primaryIds = Collections.unmodifiableList(primaryIds);
        this.failoverIds = Collections.unmodifiableList(failoverIds);
        this.encodesNodeIds = encodesNodeIds;
        this.endpoint = endpoint;
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
        Matcher config = CONFIG_ENDPOINT.matcher(value);
        if (config.matches()) {
            if (failoverNodes != null && !failoverNodes.trim().isEmpty()) {
                throw new ConfigurationException("failoverNodes", failoverNodes,
                        "a configuration endpoint's nodes cannot be failover nodes: it names them, not this Tomcat");
            }
            MemcachedNode endpoint = new MemcachedNode(null, config.group(1), null,
                    port(config.group(2), memcachedNodes));
            return new MemcachedNodes(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                    true, endpoint);
        }
        List<MemcachedNode> nodes = new ArrayList<>();
        Matcher single = SINGLE_NODE_WITHOUT_ID.matcher(value);
        if (single.matches()) {
            nodes.add(new MemcachedNode(null, single.group(1), null, port(single.group(2), memcachedNodes)));
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
                nodes.add(new MemcachedNode(m.group(1), m.group(2), null, port(m.group(3), memcachedNodes)));
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
        return new MemcachedNodes(nodes, nodes, primaryIds, failoverIds, nodes.get(0).id() != null, null);
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

    /**
     * The nodes after the configuration endpoint listed {@code listed} (discovered nodes, their ids unique): those
     * listed are present, in the order of their ids; those no longer listed stay known, for good.
     */
    public MemcachedNodes listed(List<MemcachedNode> listed) {
        if (endpoint == null) {
            throw new IllegalStateException("memcachedNodes names its nodes: there is no endpoint to list them");
        }
        Map<String, MemcachedNode> known = new LinkedHashMap<>();
        for (MemcachedNode node : nodes) {
            known.put(node.id(), node);
        }
        List<MemcachedNode> nowPresent = new ArrayList<>(listed);
        nowPresent.sort(BY_ID);
        List<String> nowPrimary = new ArrayList<>();
        for (MemcachedNode node : nowPresent) {
            known.put(node.id(), node); // its address as listed now
            nowPrimary.add(node.id());
        }
        List<MemcachedNode> all = new ArrayList<>(known.values());
        all.sort(BY_ID);
        return new MemcachedNodes(all, nowPresent, nowPrimary, new ArrayList<>(), true, endpoint);
    }

    /** The configuration endpoint ({@code config:host:port}), an id-less node; null for a fixed list of nodes. */
    public MemcachedNode configurationEndpoint() {
        return endpoint;
    }

    /** All nodes: in configuration order, or, discovered ones, in the order of their ids, those gone included. */
    public List<MemcachedNode> all() {
        return nodes;
    }

    /** The ids of {@link #all()}, in that order: the order a session's second copy follows its own node in. */
    public List<String> ids() {
        return ids;
    }

    /** The nodes memsession connects to: all configured ones, or those the endpoint lists now. */
    public List<MemcachedNode> present() {
        return present;
    }

    /**
     * Whether session ids carry a node id: true unless the configuration is a single {@code host:port}; always
     * for a configuration endpoint.
     */
    public boolean encodesNodeIds() {
        return encodesNodeIds;
    }

    /**
     * Whether sessions may move between nodes: there are several, or a configuration endpoint may list more
     * later.
     */
    public boolean mayMoveSessions() {
        return encodesNodeIds && (nodes.size() > 1 || endpoint != null);
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

    /** Whether the id names a known node, present or gone. */
    public boolean contains(String id) {
        return findNode(nodes, id) != null;
    }

    @Override
    public String toString() {
        if (endpoint != null) {
            return "config:" + endpoint.address() + " " + present;
        }
        return nodes + (failoverIds.isEmpty() ? "" : " failover " + failoverIds);
    }
}
