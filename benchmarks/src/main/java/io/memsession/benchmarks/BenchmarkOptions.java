package io.memsession.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.memsession.samples.CounterServlet;

/** LoadBenchmark's command line; the defaults are the workload of the issue that set the targets. */
record BenchmarkOptions(Duration warmUp, Duration slice, int cycles, int sessions, int connections,
                        int hotSessions, int profileBytes, List<String> configurations, List<String> extraTomcatJvmOptions,
                        List<Revision> revisions) {

    /** The configurations a run can measure against plain Tomcat, by name: memsession's, then the peers'. */
    static final List<String> KNOWN_CONFIGURATIONS = List.of("sticky-async", "sticky-sync", "sticky-async-kryo",
            "nonsticky-none", "nonsticky-all", "nonsticky-auto", "sticky-async-sealed", "nonsticky-none-sealed",
            "nonsticky-none-merged", "nonsticky-all-merged", "msm-sticky-async", "msm-sticky-async-kryo",
            "msm-nonsticky-none", "msm-nonsticky-all", "redisson-memory-after-request", "redisson-redis-after-request");

    static final String USAGE = """
            LoadBenchmark [--warmup SECONDS] [--slice SECONDS] [--cycles N] [--sessions N] [--connections N]
                          [--configurations NAME,...] [--hot-sessions N] [--tomcat-jvm-option OPTION]...
                          [--profile-bytes N] [--revision LABEL=DIRECTORY]...
              Every configuration runs at once in a Tomcat of its own; the load goes to one at a time, in slices.
              --warmup             warm-up per configuration, one after the other, after the sessions are created
                                   (default 20)
              --slice              one configuration's turn in a cycle (default 5)
              --cycles             cycles of one slice per configuration, in rotating order (default 10)
              --sessions           sessions per configuration (default 300)
              --connections        keep-alive connections per configuration, one load thread each (default 32)
              --configurations     configurations to measure against plain Tomcat, comma-separated, from
                                   sticky-async, sticky-sync, sticky-async-kryo, nonsticky-none, nonsticky-all,
                                   nonsticky-auto, sticky-async-sealed, nonsticky-none-sealed (the sealed ones with
                                   an encryptionKeyFile the benchmark writes), nonsticky-none-merged,
                                   nonsticky-all-merged (backupCopyBeforeResponse="false"), and the peers:
                                   memcached-session-manager 2.3.2 (its defaults: asynchronous backup, Java
                                   serialization; each on a memcached pair of its own) msm-sticky-async,
                                   msm-sticky-async-kryo (its Kryo serializer), msm-nonsticky-none and
                                   msm-nonsticky-all (sticky="false", lockingMode none, all); Redisson's Tomcat
                                   manager 3.52.0 (on a Redis server of its own, redis-server or REDIS_BIN)
                                   redisson-memory-after-request (readMode="MEMORY" updateMode="AFTER_REQUEST")
                                   and redisson-redis-after-request (readMode="REDIS" updateMode="AFTER_REQUEST");
                                   default: sticky-async, sticky-sync, sticky-async-kryo, nonsticky-none,
                                   nonsticky-all and one peer of each kind: msm-sticky-async, msm-nonsticky-all,
                                   redisson-memory-after-request, redisson-redis-after-request
              --profile-bytes      the size of the string each session keeps besides its counter (default 2048)
              --hot-sessions       instead of --sessions: N sessions shared by all connections, many requests of one
                                   session at once (e.g. 2); checks that every answered increment is stored
              --tomcat-jvm-option  one more option for every Tomcat JVM (repeatable); {tomcat} in it becomes the
                                   Tomcat's name, e.g. for a profile per configuration:
                                   -XX:StartFlightRecording=delay=120s,duration=60s,filename=/tmp/{tomcat}.jfr
              --revision           another build of memsession (repeatable): every memsession configuration also runs
                                   on the memsession jars in DIRECTORY, named "CONFIGURATION @LABEL" in the tables;
                                   bin/benchmark --revisions REV,... builds each git revision and passes these""";

    static BenchmarkOptions parse(String... args) {
        // memsession's backup and memcached client code runs on a few threads only, so the JIT reaches it late; the
        // cycles go on warming every Tomcat alike, and their median discounts the first ones
        Duration warmUp = Duration.ofSeconds(20);
        Duration slice = Duration.ofSeconds(5);
        int cycles = 10;
        int sessions = 300;
        int connections = 32;
        int hotSessions = 0;
        int profileBytes = CounterServlet.DEFAULT_PROFILE_BYTES;
        // the peers in every run, as users compare with them; ten configurations keep the run under 15 minutes
        List<String> configurations = List.of("sticky-async", "sticky-sync", "sticky-async-kryo", "nonsticky-none",
                "nonsticky-all", "msm-sticky-async", "msm-nonsticky-all", "redisson-memory-after-request",
                "redisson-redis-after-request");
        List<String> extraTomcatJvmOptions = new ArrayList<>();
        List<Revision> revisions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--warmup" -> warmUp = Duration.ofSeconds(number(name, value, 0));
                case "--slice" -> slice = Duration.ofSeconds(number(name, value, 1));
                case "--cycles" -> cycles = number(name, value, 1);
                case "--sessions" -> sessions = number(name, value, 1);
                case "--connections" -> connections = number(name, value, 1);
                case "--configurations" -> configurations = configurations(value);
                case "--hot-sessions" -> hotSessions = number(name, value, 1);
                case "--profile-bytes" -> profileBytes = number(name, value, 0);
                case "--tomcat-jvm-option" -> extraTomcatJvmOptions.add(value);
                case "--revision" -> revisions.add(Revision.parse(value));
                default -> throw new IllegalArgumentException("unknown argument " + name);
            }
        }
        if (hotSessions == 0 && connections > sessions) {
            throw new IllegalArgumentException("--connections " + connections + " is more than --sessions "
                    + sessions + ": every connection needs a session of its own");
        }
        return new BenchmarkOptions(warmUp, slice, cycles, sessions, connections, hotSessions, profileBytes,
                configurations, List.copyOf(extraTomcatJvmOptions), List.copyOf(revisions));
    }

    private static List<String> configurations(String value) {
        List<String> names = List.of(value.split(","));
        for (String name : names) {
            if (!KNOWN_CONFIGURATIONS.contains(name)) {
                throw new IllegalArgumentException("--configurations: unknown configuration " + name + "; known: "
                        + String.join(", ", KNOWN_CONFIGURATIONS));
            }
        }
        return names;
    }

    private static int number(String name, String value, int minimum) {
        try {
            int number = Integer.parseInt(value);
            if (number >= minimum) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " expects a whole number of at least " + minimum + ", not " + value);
    }
}
