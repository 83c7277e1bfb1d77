package io.memsession.micrometer;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;

import io.memsession.core.stats.Monitored;
import io.memsession.core.stats.NodeStatus;
import io.memsession.core.stats.Probe;
import io.memsession.core.stats.Statistics;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * A Manager's statistics as {@code memsession.*} meters (docs/spring-boot.md lists them). Counters and the lock
 * waits read the Manager's statistics when the registry asks; the store latency, the serialization times and the
 * stored size are recorded one by one as the Manager measures them, so they have percentiles. Bind one per Manager,
 * with a {@code context} tag telling the web applications apart:
 * {@code new MemsessionMetrics(manager, Tags.of("context", "/shop")).bindTo(registry)}.
 */
public final class MemsessionMetrics implements MeterBinder {

    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    private final Monitored manager;
    private final Tags tags;

    public MemsessionMetrics(Monitored manager, Iterable<Tag> tags) {
        this.manager = manager;
        this.tags = Tags.of(tags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "memsession.requests", "Requests memsession saw, by whether they had a session",
                Statistics::requestsWithSession, "session", "with");
        counter(registry, "memsession.requests", "Requests memsession saw, by whether they had a session",
                Statistics::requestsWithoutSession, "session", "without");

        String backups = "Sessions written to memcached after a request, failed, or skipped (and why)";
        counter(registry, "memsession.backups", backups, s -> s.backup().count(), "result", "written");
        counter(registry, "memsession.backups", backups, Statistics::backupFailures, "result", "failed");
        counter(registry, "memsession.backups", backups, Statistics::noSessionAccess, "result", "not-accessed");
        counter(registry, "memsession.backups", backups, Statistics::noAttributesAccess, "result",
                "attributes-not-accessed");
        counter(registry, "memsession.backups", backups, Statistics::noModification, "result", "unmodified");

        String failovers = "Sessions taken over from another Tomcat, or moved off a memcached node that is down";
        counter(registry, "memsession.failovers", failovers, Statistics::tomcatFailovers, "kind", "tomcat");
        counter(registry, "memsession.failovers", failovers, Statistics::memcachedFailovers, "kind", "memcached");

        lockWaits(registry, s -> s.lockWait(), "acquired");
        lockWaits(registry, s -> s.lockWaitRefused(), "timed-out");
        counter(registry, "memsession.locks.lost", "Locks that expired because they could not be renewed",
                Statistics::locksLost);
        counter(registry, "memsession.write.conflicts",
                "Writes refused because another request changed the session since it was read",
                Statistics::writeConflicts);
        counter(registry, "memsession.sessions.unreadable", "Stored sessions that could not be read (a new session"
                + " was given)", Statistics::unreadableSessions);
        counter(registry, "memsession.sessions.oversized", "Sessions not written: larger than maxSessionSize",
                Statistics::oversizedSessions);

        nodes(registry, "up", true);
        nodes(registry, "down", false);

        Map<Statistics.Measure, LongConsumer> recorders = new EnumMap<>(Statistics.Measure.class);
        recorders.put(Statistics.Measure.STORE_READ, timer(registry, "memsession.store.latency",
                "Reading, writing and deleting a session in memcached", "operation", "read"));
        recorders.put(Statistics.Measure.STORE_WRITE, timer(registry, "memsession.store.latency",
                "Reading, writing and deleting a session in memcached", "operation", "write"));
        recorders.put(Statistics.Measure.STORE_DELETE, timer(registry, "memsession.store.latency",
                "Reading, writing and deleting a session in memcached", "operation", "delete"));
        recorders.put(Statistics.Measure.SERIALIZATION, timer(registry, "memsession.serialization",
                "Turning a session's attributes into bytes, and back", "operation", "serialize"));
        recorders.put(Statistics.Measure.DESERIALIZATION, timer(registry, "memsession.serialization",
                "Turning a session's attributes into bytes, and back", "operation", "deserialize"));
        DistributionSummary size = DistributionSummary.builder("memsession.session.size")
                .description("Size of a session as written to memcached").baseUnit("bytes")
                .publishPercentiles(PERCENTILES).tags(tags).register(registry);
        recorders.put(Statistics.Measure.SESSION_SIZE, size::record);
        manager.listen((measure, value) -> recorders.get(measure).accept(value));
    }

    private LongConsumer timer(MeterRegistry registry, String name, String description, String tag, String value) {
        Timer timer = Timer.builder(name).description(description).tags(tags).tag(tag, value)
                .publishPercentiles(PERCENTILES).register(registry);
        return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    private void counter(MeterRegistry registry, String name, String description,
            ToDoubleFunction<Statistics> count, String... tagKeysAndValues) {
        FunctionCounter.builder(name, manager, m -> count.applyAsDouble(m.statistics())).description(description)
                .tags(tags).tags(tagKeysAndValues).register(registry);
    }

    private void lockWaits(MeterRegistry registry, Function<Statistics, Probe> probe,
            String outcome) {
        FunctionTimer.builder("memsession.lock.waits", manager, m -> probe.apply(m.statistics()).count(),
                m -> probe.apply(m.statistics()).sum(), TimeUnit.MILLISECONDS)
                .description("Non-sticky requests' waits for their session's lock, by whether they got it")
                .tags(tags).tag("outcome", outcome).register(registry);
    }

    private void nodes(MeterRegistry registry, String state, boolean up) {
        Gauge.builder("memsession.nodes", manager, m -> count(m, up))
                .description("The memcached nodes memsession can reach, and those it cannot")
                .tags(tags).tag("state", state).register(registry);
    }

    private static double count(Monitored manager, boolean up) {
        int count = 0;
        for (NodeStatus node : manager.nodes()) {
            if (node.isUp() == up) {
                count++;
            }
        }
        return count;
    }
}
