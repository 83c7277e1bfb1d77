package io.memsession.core.stats;

import java.util.List;

/**
 * What monitoring reads from a Manager: its statistics, its nodes, and each measured value as it is recorded (for
 * metrics with distributions, such as Micrometer's timers). The Manager of every Tomcat line implements it, so one
 * metrics binder and one health check serve them all.
 */
public interface Monitored {

    /** The statistics of the running Manager; all zero while it is stopped or disabled. */
    Statistics statistics();

    /** Its memcached nodes in configuration order; empty while it is stopped or disabled. */
    List<NodeStatus> nodes();

    /** From now on, and across restarts of the Manager, every measured value also goes to {@code listener}. */
    void listen(Statistics.Listener listener);
}
