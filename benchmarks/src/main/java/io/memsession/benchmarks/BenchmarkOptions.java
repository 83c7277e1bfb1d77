package io.memsession.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** LoadBenchmark's command line; the defaults are the workload of the issue that set the targets. */
record BenchmarkOptions(Duration warmUp, Duration measurement, int rounds, int sessions, int connections,
                        int hotSessions, List<String> configurations, List<String> extraTomcatJvmOptions) {

    /** The memsession configurations a run can measure against plain Tomcat, by name. */
    static final List<String> KNOWN_CONFIGURATIONS = List.of("sticky-async", "sticky-sync", "sticky-async-kryo",
            "nonsticky-none", "nonsticky-all", "nonsticky-auto", "sticky-async-sealed", "nonsticky-none-sealed",
            "nonsticky-none-merged", "nonsticky-all-merged");

    static final String USAGE = """
            LoadBenchmark [--warmup SECONDS] [--measure SECONDS] [--rounds N] [--sessions N] [--connections N]
                          [--configurations NAME,...] [--hot-sessions N] [--tomcat-jvm-option OPTION]...
              --warmup             warm-up per configuration, after the sessions are created (default 60)
              --measure            measurement per configuration (default 10)
              --rounds             rounds of all configurations, in rotating order; figures are medians (default 3)
              --sessions           sessions in use (default 300)
              --connections        keep-alive connections, one load thread each (default 32)
              --configurations     memsession configurations to measure against plain Tomcat, comma-separated, from
                                   sticky-async, sticky-sync, sticky-async-kryo, nonsticky-none, nonsticky-all,
                                   nonsticky-auto, sticky-async-sealed, nonsticky-none-sealed (the sealed ones with
                                   an encryptionKeyFile the benchmark writes), nonsticky-none-merged,
                                   nonsticky-all-merged (backupCopyBeforeResponse="false"); default: all but
                                   sticky-async-kryo, the sealed and the merged ones
              --hot-sessions       instead of --sessions: N sessions shared by all connections, many requests of one
                                   session at once (e.g. 2); checks that every answered increment is stored
              --tomcat-jvm-option  one more option for every Tomcat JVM (repeatable); {tomcat} in it becomes the
                                   Tomcat's name, e.g. for a profile per configuration:
                                   -XX:StartFlightRecording=delay=20s,duration=10s,filename=/tmp/{tomcat}.jfr""";

    static BenchmarkOptions parse(String... args) {
        // memsession's backup and memcached client code runs on a few threads only, so the JIT reaches it late:
        // shorter warm-ups measure compilation, not steady state
        Duration warmUp = Duration.ofSeconds(60);
        Duration measurement = Duration.ofSeconds(10);
        int rounds = 3;
        int sessions = 300;
        int connections = 32;
        int hotSessions = 0;
        List<String> configurations = List.of("sticky-async", "sticky-sync", "nonsticky-none", "nonsticky-all",
                "nonsticky-auto");
        List<String> extraTomcatJvmOptions = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--warmup" -> warmUp = Duration.ofSeconds(number(name, value, 0));
                case "--measure" -> measurement = Duration.ofSeconds(number(name, value, 1));
                case "--rounds" -> rounds = number(name, value, 1);
                case "--sessions" -> sessions = number(name, value, 1);
                case "--connections" -> connections = number(name, value, 1);
                case "--configurations" -> configurations = configurations(value);
                case "--hot-sessions" -> hotSessions = number(name, value, 1);
                case "--tomcat-jvm-option" -> extraTomcatJvmOptions.add(value);
                default -> throw new IllegalArgumentException("unknown argument " + name);
            }
        }
        if (hotSessions == 0 && connections > sessions) {
            throw new IllegalArgumentException("--connections " + connections + " is more than --sessions "
                    + sessions + ": every connection needs a session of its own");
        }
        return new BenchmarkOptions(warmUp, measurement, rounds, sessions, connections, hotSessions, configurations,
                List.copyOf(extraTomcatJvmOptions));
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
