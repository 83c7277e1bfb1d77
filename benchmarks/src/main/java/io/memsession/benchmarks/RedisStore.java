package io.memsession.benchmarks;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.memsession.testkit.RedisInspector;
import io.memsession.testkit.RedisProcess;

/** One Redis server for one Redisson configuration's sessions. */
final class RedisStore implements SessionStore {

    /** The benchmark's own command, reading the statistics: not the peer's. */
    private static final String INFO = "info";
    /** Redisson's keep-alive on every idle connection (pingConnectionInterval): no write. */
    private static final String PING = "ping";

    private final RedisProcess redis;
    private final RedisInspector inspector;

    private RedisStore(RedisProcess redis) {
        this.redis = redis;
        this.inspector = RedisInspector.of(redis);
    }

    static RedisStore start() {
        return new RedisStore(RedisProcess.start());
    }

    /** A Redisson configuration (YAML) for this server; everything else is Redisson's default. */
    String redissonConfig() {
        return "singleServerConfig:\n  address: \"redis://" + redis.address() + "\"\n";
    }

    @Override
    public List<Long> pids() {
        return List.of(redis.pid());
    }

    /** The commands by name, the most frequent first; the benchmark's INFO left out. */
    @Override
    public StoreCommands commands() {
        Map<String, Long> counts = new LinkedHashMap<>();
        inspector.commandCalls().entrySet().stream()
                .filter(command -> !command.getKey().equals(INFO))
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .forEach(command -> counts.put(command.getKey(), command.getValue()));
        return new StoreCommands(counts, inspector.bytesReceived());
    }

    /** Every command but the keep-alive PING: once the load has stopped, what reaches Redis is a write. */
    @Override
    public long writes() {
        return commands().counts().entrySet().stream().filter(command -> !command.getKey().equals(PING))
                .mapToLong(Map.Entry::getValue).sum();
    }

    @Override
    public long evictions() {
        return inspector.evictedKeys();
    }

    @Override
    public void close() {
        redis.close();
    }
}
