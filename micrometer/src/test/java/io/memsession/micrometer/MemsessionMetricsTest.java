package io.memsession.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.memsession.core.stats.Monitored;
import io.memsession.core.stats.NodeStatus;
import io.memsession.core.stats.Statistics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** The meters show what the Manager's statistics count, and the latencies one by one, with percentiles. */
class MemsessionMetricsTest {

    private final Statistics statistics = new Statistics(true);
    private final List<NodeStatus> nodes = new ArrayList<>(List.of(new NodeStatus("n1", "mc1:11211", false, true),
            new NodeStatus("n2", "mc2:11211", false, true)));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final Monitored manager = new Monitored() {
        @Override
        public Statistics statistics() {
            return statistics;
        }

        @Override
        public List<NodeStatus> nodes() {
            return nodes;
        }

        @Override
        public void listen(Statistics.Listener listener) {
            statistics.listen(listener);
        }
    };

    @Test
    void countersFollowTheStatistics() {
        new MemsessionMetrics(manager, Tags.of("context", "/shop")).bindTo(registry);
        statistics.requestFinished(true);
        statistics.requestFinished(true);
        statistics.requestFinished(false);
        statistics.backupSkipped(Statistics.Skip.NO_MODIFICATION);
        statistics.tomcatFailover();
        statistics.lockTimeout(2000);

        assertEquals(2, registry.get("memsession.requests").tags("context", "/shop", "session", "with")
                .functionCounter().count());
        assertEquals(1, registry.get("memsession.requests").tag("session", "without").functionCounter().count());
        assertEquals(1, registry.get("memsession.backups").tag("result", "unmodified").functionCounter().count());
        assertEquals(1, registry.get("memsession.failovers").tag("kind", "tomcat").functionCounter().count());
        assertEquals(1, registry.get("memsession.lock.waits").tag("outcome", "timed-out").functionTimer().count());
        assertEquals(2000, registry.get("memsession.lock.waits").tag("outcome", "timed-out").functionTimer()
                .totalTime(TimeUnit.MILLISECONDS));
    }

    @Test
    void storeLatencyIsATimerWithPercentiles() {
        new MemsessionMetrics(manager, Tags.of("context", "/")).bindTo(registry);
        for (int i = 1; i <= 100; i++) {
            long nanos = TimeUnit.MILLISECONDS.toNanos(i);
            statistics.sessionWritten(nanos, nanos, 0, 1000 + i);
        }
        statistics.sessionLoaded(TimeUnit.MILLISECONDS.toNanos(7));

        Timer writes = registry.get("memsession.store.latency").tag("operation", "write").timer();
        assertEquals(100, writes.count());
        assertEquals(100, writes.max(TimeUnit.MILLISECONDS));
        ValueAtPercentile[] percentiles = writes.takeSnapshot().percentileValues();
        assertEquals(3, percentiles.length);
        double p99 = percentiles[2].value(TimeUnit.MILLISECONDS);
        assertTrue(p99 >= 95 && p99 <= 101, "p99 of 1..100 ms: " + p99);
        assertEquals(1, registry.get("memsession.store.latency").tag("operation", "read").timer().count());
        assertEquals(100, registry.get("memsession.session.size").summary().count());
    }

    @Test
    void storeLatenciesBelowAMillisecondAreKept() {
        new MemsessionMetrics(manager, Tags.of("context", "/")).bindTo(registry);
        // a read from memcached on the same network: a quarter of a millisecond
        statistics.sessionLoaded(TimeUnit.MICROSECONDS.toNanos(250));
        statistics.sessionDeleted(TimeUnit.MICROSECONDS.toNanos(80));

        assertEquals(0.25, registry.get("memsession.store.latency").tag("operation", "read").timer()
                .totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(80, registry.get("memsession.store.latency").tag("operation", "delete").timer()
                .max(TimeUnit.MICROSECONDS), 1e-9);
        // msm's attributes keep whole milliseconds
        assertEquals(0, statistics.sessionsLoaded().max());
    }

    @Test
    void nodesUpAndDown() {
        new MemsessionMetrics(manager, Tags.empty()).bindTo(registry);
        nodes.set(1, new NodeStatus("n2", "mc2:11211", false, false));
        assertEquals(1, registry.get("memsession.nodes").tag("state", "up").gauge().value());
        assertEquals(1, registry.get("memsession.nodes").tag("state", "down").gauge().value());
    }
}
