package io.memsession.spring.boot;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memsession.core.stats.NodeStatus;

/**
 * The health of memsession from its nodes: {@code UP} with every node up; {@code DEGRADED} with some down (sessions
 * of a node that is down move to the others, nothing fails yet, but one more loss may cost sessions); {@code DOWN}
 * with none up; {@code UNKNOWN} while the Manager is stopped or disabled. Spring Boot leaves a status it does not
 * order out of the application's overall status: {@code DEGRADED} shows under the memsession component and keeps
 * the application {@code UP} (and its HTTP status 200) unless {@code management.endpoint.health.status.order} names
 * it.
 */
final class NodesHealth {

    static final String DEGRADED = "DEGRADED";

    private final String status;
    private final Map<String, Object> details = new LinkedHashMap<>();

    NodesHealth(List<NodeStatus> nodes) {
        int up = 0;
        Map<String, String> states = new LinkedHashMap<>();
        for (NodeStatus node : nodes) {
            up += node.isUp() ? 1 : 0;
            states.put(node.id() == null ? node.address() : node.id() + " " + node.address(),
                    (node.isUp() ? "up" : "down") + (node.isFailover() ? " (failover)" : ""));
        }
        status = nodes.isEmpty() ? "UNKNOWN" : up == nodes.size() ? "UP" : up == 0 ? "DOWN" : DEGRADED;
        details.put("nodesUp", up);
        details.put("nodes", states);
    }

    String status() {
        return status;
    }

    Map<String, Object> details() {
        return details;
    }
}
