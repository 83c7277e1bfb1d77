package io.memsession.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.HashMap;
import java.util.Comparator;
import java.util.Locale;

import io.memsession.samples.TomcatProcess;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.WebClient;

/**
 * The load benchmark: the sample application ({@code CounterServlet}: an Integer counter and a 2 KB string per
 * session) on plain Tomcat 9, then on memsession in sticky mode with asynchronous and with synchronous backup and in
 * non-sticky mode with locking modes none, all and auto, in one run, each in a fresh Tomcat JVM under the same load, so the throughput ratios against plain Tomcat compare
 * like with like. After each memsession configuration it restarts Tomcat against the same memcached and checks that
 * every session continues from the counter its client saw last: no update was lost.
 *
 * <p>Exits with 1 if a request failed or an update was lost; missing a throughput target is reported only.
 */
public final class LoadBenchmark {

    /**
     * The same for every Tomcat, so the configurations differ in their session manager only. A fixed heap,
     * touched at start, so neither heap resizing nor first-touch page faults fall into a measurement; the parallel
     * collector, because its young collections are short pauses with no concurrent GC threads competing with the
     * request threads for the two cores, so each configuration pays for the garbage it makes and nothing else.
     */
    static final List<String> TOMCAT_JVM_OPTIONS =
            List.of("-Xms512m", "-Xmx512m", "-XX:+UseParallelGC", "-XX:+AlwaysPreTouch");

    private static final String ROUTE = "tc1";
    private static final Duration BACKUP_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final long STATS_POLL_MILLIS = 200;

    private static final Setup PLAIN = new Setup("plain Tomcat", false, List.of(), Double.NaN);
    /** In a setup's attributes: the key file this run writes for the sealed configurations. */
    private static final String KEY_FILE = "{keyFile}";
    /** By the names of {@code --configurations}. */
    private static final Map<String, Setup> MEMSESSION_SETUPS = Map.of(
            "sticky-async", new Setup("sticky async", true, List.of(), 0.75),
            "sticky-sync", new Setup("sticky sync", true, List.of("sessionBackupAsync=false"), 0.45),
            "sticky-async-kryo", new Setup("sticky async kryo", true,
                    List.of("transcoderFactoryClass=io.memsession.serializer.kryo.KryoTranscoderFactory"), 0.80),
            "nonsticky-none", new Setup("nonsticky none", true, List.of("sticky=false", "lockingMode=none"), 0.30),
            "nonsticky-all", new Setup("nonsticky all", true, List.of("sticky=false", "lockingMode=all"), 0.25),
            "nonsticky-auto", new Setup("nonsticky auto", true, List.of("sticky=false", "lockingMode=auto"), 0.25),
            "sticky-async-sealed", new Setup("sticky async sealed", true,
                    List.of("encryptionKeyFile=" + KEY_FILE), Double.NaN),
            "nonsticky-none-sealed", new Setup("nonsticky none sealed", true,
                    List.of("sticky=false", "lockingMode=none", "encryptionKeyFile=" + KEY_FILE), Double.NaN),
            // what writing each change's backup copy before the response (the default) costs against merging them
            "nonsticky-none-merged", new Setup("nonsticky none merged copies", true,
                    List.of("sticky=false", "lockingMode=none", "backupCopyBeforeResponse=false"), Double.NaN),
            "nonsticky-all-merged", new Setup("nonsticky all merged copies", true,
                    List.of("sticky=false", "lockingMode=all", "backupCopyBeforeResponse=false"), Double.NaN));

    private final BenchmarkOptions options;
    /** Plain Tomcat first, then the configurations asked for. */
    private final List<Setup> setups = new ArrayList<>();
    private final List<String> tomcatJvmOptions;
    private final Path logs;
    private final Path keyFile;

    private LoadBenchmark(BenchmarkOptions options, Path logs) throws IOException {
        this.options = options;
        setups.add(PLAIN);
        options.configurations().forEach(name -> setups.add(MEMSESSION_SETUPS.get(name)));
        this.tomcatJvmOptions = new ArrayList<>(TOMCAT_JVM_OPTIONS);
        this.tomcatJvmOptions.addAll(options.extraTomcatJvmOptions());
        this.logs = logs;
        this.keyFile = writeKeyFile(logs.resolve("memsession.keys"));
    }

    /** One fresh AES-256 key, as {@code docs/security.md} tells users to make one. */
    private static Path writeKeyFile(Path file) throws IOException {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Files.writeString(file, "# written by LoadBenchmark for its sealed configurations\nbench1 "
                + Base64.getEncoder().encodeToString(key) + "\n");
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(BenchmarkOptions.USAGE);
            return;
        }
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage() + "\n" + BenchmarkOptions.USAGE);
            System.exit(2);
            return;
        }
        LoadBenchmark benchmark = new LoadBenchmark(options, Files.createTempDirectory("memsession-benchmark-"));
        if (options.hotSessions() > 0) {
            System.exit(benchmark.runHot() ? 0 : 1);
            return;
        }
        List<List<Result>> rounds = benchmark.run();
        benchmark.printSummary(rounds);
        boolean correct = rounds.stream().flatMap(List::stream).allMatch(Result::isCorrect);
        System.exit(correct ? 0 : 1);
    }

    /**
     * Runs every configuration once per round. A shared machine's speed drifts by tens of percent from one minute
     * to the next, so each round compares configurations run close together, the order rotates so that no
     * configuration always runs first, and the summary takes medians over the rounds.
     *
     * @return per round, the results in {@link #setups} order
     */
    private List<List<Result>> run() throws Exception {
        System.out.printf("memsession load benchmark: %d sessions, %d connections, warm-up %d s and measurement %d s"
                        + " per configuration, %d rounds, loopback%n", options.sessions(), options.connections(),
                options.warmUp().toSeconds(), options.measurement().toSeconds(), options.rounds());
        System.out.println("Tomcat JVM options: " + String.join(" ", tomcatJvmOptions));
        System.out.println("Tomcat logs: " + logs);
        List<List<Result>> rounds = new ArrayList<>();
        try (MemcachedPair memcached = MemcachedPair.start()) {
            System.out.println("memcached: " + memcached.memcachedNodes());
            for (int round = 0; round < options.rounds(); round++) {
                Map<Setup, Result> results = new HashMap<>();
                for (int i = 0; i < setups.size(); i++) {
                    Setup setup = setups.get((round + i) % setups.size());
                    memcached.reset();
                    System.out.printf("%n== round %d: %s%n", round + 1, setup.name());
                    results.put(setup, run(setup, memcached, round + 1));
                }
                List<Result> inOrder = setups.stream().map(results::get).toList();
                inOrder.forEach(result -> result.print(inOrder.get(0)));
                rounds.add(inOrder);
            }
        }
        return rounds;
    }

    /**
     * The hot-session run: every configuration under {@link HotSessionLoad}, in rounds as {@link #run()}.
     *
     * @return whether no request failed and no answered increment was lost
     */
    private boolean runHot() throws Exception {
        System.out.printf("memsession hot-session benchmark: %d sessions shared by %d connections, warm-up %d s and"
                        + " measurement %d s per configuration, %d rounds, loopback%n", options.hotSessions(),
                options.connections(), options.warmUp().toSeconds(), options.measurement().toSeconds(),
                options.rounds());
        boolean correct = true;
        Map<Setup, List<Double>> ratios = new HashMap<>();
        try (MemcachedPair memcached = MemcachedPair.start()) {
            for (int round = 0; round < options.rounds(); round++) {
                Map<Setup, HotSessionLoad.Outcome> outcomes = new HashMap<>();
                for (int i = 0; i < setups.size(); i++) {
                    Setup setup = setups.get((round + i) % setups.size());
                    memcached.reset();
                    try (TomcatProcess tomcat = startTomcat(setup.slug() + "-hot-" + (round + 1),
                            tomcatArguments(setup, memcached))) {
                        HotSessionLoad load = HotSessionLoad.start(tomcat.port(), options.hotSessions(),
                                options.connections());
                        MemcachedPair.Commands before = memcached.commands();
                        HotSessionLoad.Outcome outcome = load.run(options.warmUp(), options.measurement());
                        MemcachedPair.Commands commands = memcached.commands().since(before);
                        outcomes.put(setup, outcome);
                        System.out.printf(Locale.ROOT, "round %d %-21s %8.0f requests/s, p50 %.2f ms, p99 %.2f ms,"
                                        + " errors %d, lost updates %d; memcached per request (whole run): %s%n",
                                round + 1, setup.name(), outcome.requestsPerSecond(),
                                millis(outcome.latencies().percentile(50)),
                                millis(outcome.latencies().percentile(99)), outcome.errors(), outcome.lost(),
                                commands.perRequest(outcome.requests()));
                        if (outcome.firstError() != null) {
                            System.out.println("  first error: " + outcome.firstError());
                        }
                        correct &= outcome.errors() == 0 && outcome.lost() == 0;
                    }
                }
                double plain = outcomes.get(PLAIN).requestsPerSecond();
                outcomes.forEach((setup, outcome) -> ratios.computeIfAbsent(setup, s -> new ArrayList<>())
                        .add(outcome.requestsPerSecond() / plain));
            }
        }
        System.out.println();
        for (Setup setup : setups) {
            List<Double> sorted = ratios.get(setup).stream().sorted().toList();
            System.out.printf(Locale.ROOT, "%-21s %.2f x plain (median of %d rounds, range %.2f-%.2f)%n",
                    setup.name(), median(sorted), sorted.size(), sorted.get(0), sorted.get(sorted.size() - 1));
        }
        System.out.println(correct ? "Correctness: no errors, no lost updates." : "Correctness: FAILED (above).");
        return correct;
    }

    private Result run(Setup setup, MemcachedPair memcached, int round) throws Exception {
        List<String> arguments = tomcatArguments(setup, memcached);
        LoadGenerator.Measurement measurement;
        long sets;
        MemcachedPair.Commands commands;
        MemsessionStats stats = null;
        try (TomcatProcess tomcat = startTomcat(setup.slug() + "-" + round, arguments)) {
            LoadGenerator load = LoadGenerator.start(tomcat.port(), options.sessions(), options.connections());
            load.warmUp(options.warmUp());
            long setsBefore = memcached.sets();
            MemcachedPair.Commands before = memcached.commands();
            measurement = load.measure(options.measurement());
            sets = memcached.sets() - setsBefore;
            commands = memcached.commands().since(before);
            if (setup.memsession()) {
                stats = awaitBackupsWritten(tomcat.port());
            }
            // Killed, not stopped: an orderly stop would write the sessions and hide what the backup missed.
            tomcat.kill();
        }
        LostUpdates lostUpdates = setup.memsession() ? checkStoredCounters(setup, arguments, measurement, round)
                : null;
        return new Result(setup, measurement, sets, commands, stats, lostUpdates);
    }

    private List<String> tomcatArguments(Setup setup, MemcachedPair memcached) {
        List<String> arguments = new ArrayList<>(List.of("--route", ROUTE));
        if (!setup.memsession()) {
            arguments.add("--plain");
            return arguments;
        }
        arguments.addAll(List.of("--attr", "memcachedNodes=" + memcached.memcachedNodes()));
        for (String attribute : setup.attributes()) {
            arguments.addAll(List.of("--attr", attribute.replace(KEY_FILE, keyFile.toString())));
        }
        return arguments;
    }

    /** {@code name} names the log file, and replaces {@code {tomcat}} in the JVM options (e.g. a profile's file). */
    private TomcatProcess startTomcat(String name, List<String> arguments) {
        List<String> jvmOptions = tomcatJvmOptions.stream().map(option -> option.replace("{tomcat}", name)).toList();
        return TomcatProcess.start(FreePorts.find(), logs.resolve(name + ".log"), jvmOptions, arguments);
    }

    /**
     * Waits until the asynchronous backup has nothing queued and no write under way (the write counts stopped
     * moving), so that killing Tomcat then loses only what the backup itself failed to store.
     */
    private static MemsessionStats awaitBackupsWritten(int port) throws InterruptedException {
        long deadline = System.nanoTime() + BACKUP_DRAIN_TIMEOUT.toNanos();
        String lastProgress = null;
        while (System.nanoTime() < deadline) {
            MemsessionStats stats = MemsessionStats.fetch(port);
            String progress = stats.figure("msmStatBackupInfo", "Count") + "/"
                    + stats.number("msmStatNumNoSessionModification") + "/" + stats.number("msmStatNumBackupFailures");
            if (stats.number("msmStatQueuedBackups") == 0 && progress.equals(lastProgress)) {
                return stats;
            }
            lastProgress = progress;
            Thread.sleep(STATS_POLL_MILLIS);
        }
        throw new IllegalStateException("memsession still had backups queued " + BACKUP_DRAIN_TIMEOUT.toSeconds()
                + " s after the load stopped");
    }

    /**
     * Starts a fresh Tomcat against the same memcached and requests every session once more: the stored copy is
     * current if the counter goes on from the one the client saw last.
     */
    private LostUpdates checkStoredCounters(Setup setup, List<String> arguments,
                                            LoadGenerator.Measurement measurement, int round) {
        int checked = 0;
        int lost = 0;
        String firstLoss = null;
        try (TomcatProcess restarted = startTomcat(setup.slug() + "-" + round + "-restarted", arguments);
             WebClient client = new WebClient()) {
            for (TrackedSession session : measurement.sessions()) {
                if (session.id() == null || session.isUncertain()) {
                    continue; // its last request failed: already an error, and its true counter is unknown
                }
                client.setCookie(TrackedSession.COOKIE, session.id());
                WebClient.Response response = client.get(restarted.port(), "/");
                int counter = (int) response.counter();
                checked++;
                if (response.status() != 200 || counter != session.lastCounter() + 1) {
                    lost++;
                    if (firstLoss == null) {
                        firstLoss = "session " + session.id() + ": client saw " + session.lastCounter()
                                + ", restarted Tomcat answered HTTP " + response.status() + " "
                                + response.body().strip();
                    }
                }
            }
        }
        return new LostUpdates(checked, measurement.sessions().size(), lost, firstLoss);
    }

    private void printSummary(List<List<Result>> rounds) {
        System.out.printf("%n%-21s %10s %7s %11s %7s %7s %8s %15s %12s %6s %12s%n", "configuration", "requests/s",
                "x plain", "(range)", "p50 ms", "p99 ms", "sets/req", "lag avg/max ms*", "backup fails", "errors",
                "lost updates");
        for (int i = 0; i < setups.size(); i++) {
            int setup = i;
            List<Result> runs = rounds.stream().map(round -> round.get(setup)).toList();
            List<Double> ratios = rounds.stream().map(round -> round.get(setup).ratioTo(round.get(0))).sorted()
                    .toList();
            Result typical = runs.stream().sorted(Comparator.comparingDouble(Result::throughput))
                    .toList().get(runs.size() / 2);
            boolean memsession = typical.stats() != null;
            System.out.printf(Locale.ROOT, "%-21s %10.0f %7.2f %11s %7.2f %7.2f %8s %15s %12s %6d %12s%n",
                    typical.setup().name(), typical.throughput(), median(ratios),
                    String.format(Locale.ROOT, "%.2f-%.2f", ratios.get(0), ratios.get(ratios.size() - 1)),
                    millis(typical.measurement().latencies().percentile(50)),
                    millis(typical.measurement().latencies().percentile(99)),
                    memsession ? String.format(Locale.ROOT, "%.2f", typical.setsPerRequest()) : "-",
                    memsession ? typical.lagAverageMillis() + " / " + typical.lagMaxMillis() : "-",
                    memsession ? String.valueOf(runs.stream()
                            .mapToLong(run -> run.stats().number("msmStatNumBackupFailures")).sum()) : "-",
                    runs.stream().mapToLong(run -> run.measurement().errors()).sum(),
                    memsession ? String.valueOf(runs.stream().mapToInt(run -> run.lostUpdates().lost()).sum()) : "-");
        }
        System.out.println("Medians over " + rounds.size() + " rounds; x plain is the median of each round's ratio to"
                + " that round's plain Tomcat; other columns from the median-throughput run; errors and lost updates"
                + " over all rounds.");
        System.out.println("* from the end of a request to the write of its session; whole run, warm-up included");
        System.out.println("\nTargets (informational):");
        for (int i = 1; i < setups.size(); i++) {
            if (Double.isNaN(setups.get(i).target())) {
                continue; // measured for comparison, with no target of its own
            }
            int setup = i;
            double ratio = median(rounds.stream().map(round -> round.get(setup).ratioTo(round.get(0))).sorted()
                    .toList());
            System.out.printf(Locale.ROOT, "  %-21s >= %.2f x plain: %.2f x  %s%n", setups.get(i).name(),
                    setups.get(i).target(), ratio, ratio >= setups.get(i).target() ? "PASS" : "MISS");
        }
        System.out.println("Reference, memcached-session-manager 2.3.2 on this workload: sticky async 0.40 x (Kryo),"
                + " 0.56 x (Java serialization); sticky sync 0.28 x.");
        System.out.println(rounds.stream().flatMap(List::stream).allMatch(Result::isCorrect)
                ? "Correctness: no errors, no lost updates."
                : "Correctness: FAILED (errors or lost updates above).");
    }

    private static double median(List<Double> sorted) {
        int size = sorted.size();
        return size % 2 == 1 ? sorted.get(size / 2) : (sorted.get(size / 2 - 1) + sorted.get(size / 2)) / 2;
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }

    /**
     * One configuration of the benchmark.
     *
     * @param attributes memsession attributes besides {@code memcachedNodes}, as {@code name=value}
     * @param target the throughput ratio to plain Tomcat the issue asks for; NaN for none
     */
    private record Setup(String name, boolean memsession, List<String> attributes, double target) {

        /** The name as a file name for its Tomcat's log. */
        String slug() {
            return name.toLowerCase(Locale.ROOT).replace(' ', '-');
        }
    }

    /**
     * @param checked sessions requested again after the restart (those whose last request failed are left out)
     */
    private record LostUpdates(int checked, int sessions, int lost, String firstLoss) {
    }

    /**
     * @param sets memcached set commands received during the measurement, both nodes
     * @param commands every memcached command received during the measurement, both nodes, by kind
     * @param stats memsession's statistics once the backups were written; null for plain Tomcat
     * @param lostUpdates null for plain Tomcat
     */
    private record Result(Setup setup, LoadGenerator.Measurement measurement, long sets,
                          MemcachedPair.Commands commands, MemsessionStats stats, LostUpdates lostUpdates) {

        double throughput() {
            return measurement.requestsPerSecond();
        }

        double ratioTo(Result plain) {
            return throughput() / plain.throughput();
        }

        double setsPerRequest() {
            return measurement.requests() == 0 ? 0 : (double) sets / measurement.requests();
        }

        long lagAverageMillis() {
            return stats.figure("msmStatBackupLagInfo", "Avg");
        }

        long lagMaxMillis() {
            return stats.figure("msmStatBackupLagInfo", "Max");
        }

        boolean isCorrect() {
            return measurement.errors() == 0 && (lostUpdates == null || lostUpdates.lost() == 0);
        }

        void print(Result plain) {
            LatencyHistogram latencies = measurement.latencies();
            System.out.printf(Locale.ROOT, "  %.0f requests/s (%d in %.1f s), %.2f x plain; latency p50 %.2f ms,"
                            + " p99 %.2f ms; errors %d%n", throughput(), measurement.requests(),
                    measurement.elapsedNanos() / 1e9, ratioTo(plain), millis(latencies.percentile(50)),
                    millis(latencies.percentile(99)), measurement.errors());
            if (measurement.firstError() != null) {
                System.out.println("  first error: " + measurement.firstError());
            }
            if (stats == null) {
                return;
            }
            System.out.printf(Locale.ROOT, "  memcached sets per request %.2f; backup lag avg %d ms, max %d ms"
                            + " (whole run, warm-up included); backup %s ms; memcached update %s ms;"
                            + " backup failures %d%n", setsPerRequest(), lagAverageMillis(), lagMaxMillis(),
                    avgMax("msmStatBackupInfo"), avgMax("msmStatMemcachedUpdateInfo"),
                    stats.number("msmStatNumBackupFailures"));
            System.out.println("  memcached commands per request (both nodes, backup copies included): "
                    + commands.perRequest(measurement.requests()));
            if (stats.number("msmStatNumWriteConflicts") + stats.number("msmStatNumLockTimeouts") > 0) {
                System.out.printf("  refused writes %d, lock timeouts %d%n", stats.number("msmStatNumWriteConflicts"),
                        stats.number("msmStatNumLockTimeouts"));
            }
            System.out.printf("  lost updates: %d (%d of %d sessions checked after killing Tomcat and starting a"
                            + " fresh one)%n", lostUpdates.lost(), lostUpdates.checked(), lostUpdates.sessions());
            if (lostUpdates.firstLoss() != null) {
                System.out.println("  first lost update: " + lostUpdates.firstLoss());
            }
        }

        private String avgMax(String name) {
            return "avg " + stats.figure(name, "Avg") + " max " + stats.figure(name, "Max");
        }
    }
}
