package io.memsession.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import javax.annotation.Resource;

import org.apache.catalina.startup.Tomcat;

import io.memsession.samples.SampleTomcat;
import io.memsession.samples.TomcatProcess;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.Plot;

/**
 * The load benchmark: the sample application ({@code CounterServlet}: an Integer counter and a 2 KB string per
 * session) on plain Tomcat 9 and on the memsession configurations asked for, interleaved. Every configuration runs
 * at once in a warm Tomcat JVM of its own (memsession ones each with a memcached pair of their own), and the load
 * goes to one Tomcat at a time in short slices: plain, A, B, then A, B, plain, ... So whatever else the machine is
 * doing hits every configuration alike, and each cycle's ratio to plain Tomcat compares slices seconds apart. The
 * peers run the same way: memcached-session-manager 2.3.2 on a memcached pair of its own, Redisson's Tomcat manager
 * on a Redis server of its own, each in a Tomcat JVM whose class path has their published jars and no memsession.
 * At the end it kills each Tomcat with a session store, starts a fresh one against the same store and checks that
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
    private static final String MSM_MANAGER = "de.javakaffee.web.msm.MemcachedBackupSessionManager";
    private static final String REDISSON_MANAGER = "org.redisson.tomcat.RedissonSessionManager";
    /**
     * For msm's Tomcats: kryo-serializers 0.41, under msm's Kryo serializer, reaches into these packages by
     * reflection, which Java 16 and later refuse unless they are opened. Java serialization does not use them.
     */
    private static final List<String> MSM_JVM_OPTIONS = List.of("--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED");
    private static final Duration BACKUP_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final long STATS_POLL_MILLIS = 200;
    /** A peer's store receiving no write for this long: its writes have all arrived. */
    private static final Duration WRITES_SETTLED = Duration.ofSeconds(1);
    /**
     * After the last slice, before the CPU times and command counts are read: time for the last Tomcat's
     * asynchronous writes, which belong to its requests.
     */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    private static final Setup PLAIN = new Setup("plain Tomcat", Kind.PLAIN, List.of(), Double.NaN, null, null);
    /** In a setup's attributes: the key file this run writes for the sealed configurations. */
    private static final String KEY_FILE = "{keyFile}";
    /** By the names of {@code --configurations}. */
    private static final Map<String, Setup> SETUPS = Map.ofEntries(
            memsession("sticky-async", "sticky async", 0.88),
            memsession("sticky-sync", "sticky sync", 0.55, "sessionBackupAsync=false"),
            memsession("sticky-async-kryo", "sticky async kryo", 0.92,
                    "transcoderFactoryClass=io.memsession.serializer.kryo.KryoTranscoderFactory"),
            memsession("nonsticky-none", "nonsticky none", 0.40, "sticky=false", "lockingMode=none"),
            memsession("nonsticky-all", "nonsticky all", 0.35, "sticky=false", "lockingMode=all"),
            memsession("nonsticky-auto", "nonsticky auto", Double.NaN, "sticky=false", "lockingMode=auto"),
            memsession("sticky-async-sealed", "sticky async sealed", Double.NaN, "encryptionKeyFile=" + KEY_FILE),
            memsession("nonsticky-none-sealed", "nonsticky none sealed", Double.NaN, "sticky=false",
                    "lockingMode=none", "encryptionKeyFile=" + KEY_FILE),
            // what writing each change's backup copy before the response (the default) costs against merging them
            memsession("nonsticky-none-merged", "nonsticky none merged copies", Double.NaN, "sticky=false",
                    "lockingMode=none", "backupCopyBeforeResponse=false"),
            memsession("nonsticky-all-merged", "nonsticky all merged copies", Double.NaN, "sticky=false",
                    "lockingMode=all", "backupCopyBeforeResponse=false"),
            // the peers, each named with the memsession configuration it compares with: memcached-session-manager
            // 2.3.2 with its defaults (sticky, asynchronous backup, Java serialization) but for the mode and the
            // serializer, and Redisson's Tomcat manager in the modes that store what memsession's do
            peer("msm-sticky-async", "msm 2.3.2 sticky async", Kind.MSM, "sticky-async"),
            peer("msm-sticky-async-kryo", "msm 2.3.2 sticky async kryo", Kind.MSM, "sticky-async-kryo",
                    "transcoderFactoryClass=de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory"),
            peer("msm-nonsticky-none", "msm 2.3.2 nonsticky none", Kind.MSM, "nonsticky-none", "sticky=false",
                    "lockingMode=none"),
            peer("msm-nonsticky-all", "msm 2.3.2 nonsticky all", Kind.MSM, "nonsticky-all", "sticky=false",
                    "lockingMode=all"),
            // sessions in Tomcat's memory, all attributes written to Redis after every request: like sticky sync
            peer("redisson-memory-after-request", "redisson memory after-req", Kind.REDISSON, "sticky-sync",
                    "readMode=MEMORY", "updateMode=AFTER_REQUEST"),
            // every read from Redis, the changed attributes written after the request: like non-sticky none
            peer("redisson-redis-after-request", "redisson redis after-req", Kind.REDISSON, "nonsticky-none",
                    "readMode=REDIS", "updateMode=AFTER_REQUEST"));

    private static Map.Entry<String, Setup> memsession(String option, String name, double target,
                                                       String... attributes) {
        return Map.entry(option, new Setup(name, Kind.MEMSESSION, List.of(attributes), target, null, null));
    }

    private static Map.Entry<String, Setup> peer(String option, String name, Kind kind, String counterpart,
                                                 String... attributes) {
        return Map.entry(option, new Setup(name, kind, List.of(attributes), Double.NaN, counterpart, null));
    }

    private final BenchmarkOptions options;
    /** Plain Tomcat first, then the configurations asked for, each memsession one followed by its revisions'. */
    private final List<Setup> setups = new ArrayList<>();
    private final List<String> tomcatJvmOptions;
    private final Path logs;
    private final Path keyFile;

    private LoadBenchmark(BenchmarkOptions options, Path logs) throws IOException {
        this.options = options;
        setups.add(PLAIN);
        for (String name : options.configurations()) {
            Setup setup = SETUPS.get(name);
            setups.add(setup);
            if (setup.kind() == Kind.MEMSESSION) {
                options.revisions().forEach(revision -> setups.add(setup.on(revision)));
            }
        }
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
        System.exit(benchmark.run() ? 0 : 1);
    }

    /** @return whether no request failed and no update was lost */
    private boolean run() throws Exception {
        boolean hot = options.hotSessions() > 0;
        System.out.printf(Locale.ROOT, "memsession %s benchmark, interleaved: %s per configuration, warm-up %d s"
                        + " each, then %d cycles of a %d s slice per configuration, loopback%n",
                hot ? "hot-session" : "load",
                hot ? options.hotSessions() + " sessions shared by " + options.connections() + " connections"
                        : options.sessions() + " sessions over " + options.connections() + " connections",
                options.warmUp().toSeconds(), options.cycles(), options.slice().toSeconds());
        System.out.println("Tomcat JVM options: " + String.join(" ", tomcatJvmOptions));
        System.out.println("Tomcat logs: " + logs);
        List<Contestant> contestants = new ArrayList<>();
        try {
            for (Setup setup : setups) {
                contestants.add(start(setup));
            }
            for (Contestant contestant : contestants) {
                Slice slice = contestant.load.run(options.warmUp());
                System.out.printf(Locale.ROOT, "warm-up %-28s %8.0f requests/s, errors %d%n",
                        contestant.setup.name(), slice.requestsPerSecond(), slice.errors());
            }
            contestants.forEach(Contestant::markStart);
            for (int cycle = 0; cycle < options.cycles(); cycle++) {
                for (int i = 0; i < contestants.size(); i++) {
                    Contestant contestant = contestants.get((cycle + i) % contestants.size());
                    contestant.runSlice(options.slice(), cycle + 1, options.cycles());
                }
                printCycle(contestants, cycle);
            }
            Thread.sleep(SETTLE.toMillis());
            contestants.forEach(Contestant::markEnd);
            for (Contestant contestant : contestants) {
                contestant.load.stop();
            }
            for (Contestant contestant : contestants) {
                if (contestant.setup.kind() != Kind.PLAIN) {
                    checkLostUpdates(contestant);
                }
            }
        } finally {
            contestants.forEach(Contestant::close);
        }
        printSummary(contestants);
        Path plot = logs.resolve("interleaved.png");
        Plot.write(chart(contestants), plot);
        System.out.println("Plot: " + plot);
        boolean correct = contestants.stream().allMatch(Contestant::isCorrect);
        System.out.println(correct ? "Correctness: no errors, no lost updates."
                : "Correctness: FAILED (errors or lost updates above).");
        return correct;
    }

    /** A warm Tomcat for {@code setup}, with its sessions created and its load parked until its first slice. */
    private Contestant start(Setup setup) throws InterruptedException, IOException {
        SessionStore store = switch (setup.kind()) {
            case PLAIN -> null;
            case MEMSESSION, MSM -> MemcachedPair.start(Math.max(options.sessions(), options.hotSessions()),
                    options.profileBytes());
            case REDISSON -> RedisStore.start();
        };
        TomcatProcess tomcat = null;
        try {
            List<String> arguments = tomcatArguments(setup, store);
            tomcat = startTomcat(setup, setup.slug(), arguments);
            SlicedLoad load = options.hotSessions() > 0
                    ? HotSessionLoad.start(tomcat.port(), options.hotSessions(), options.connections())
                    : LoadGenerator.start(tomcat.port(), options.sessions(), options.connections());
            return new Contestant(setup, arguments, store, tomcat, load);
        } catch (RuntimeException | InterruptedException | IOException e) {
            if (tomcat != null) {
                tomcat.close();
            }
            if (store != null) {
                store.close();
            }
            throw e;
        }
    }

    private static void printCycle(List<Contestant> contestants, int cycle) {
        double plain = contestants.get(0).throughputs.get(cycle);
        StringBuilder line = new StringBuilder("cycle " + (cycle + 1) + ", x plain:");
        for (Contestant contestant : contestants.subList(1, contestants.size())) {
            line.append(String.format(Locale.ROOT, " %s %.2f;", contestant.setup.name(),
                    contestant.throughputs.get(cycle) / plain));
        }
        System.out.println(line);
    }

    /**
     * Once the load has stopped: waits until every queued backup is written, kills the Tomcat (an orderly stop
     * would write the sessions and hide what the backup missed), and asks a fresh one for every session.
     */
    private void checkLostUpdates(Contestant contestant) throws InterruptedException {
        if (contestant.setup.kind() == Kind.MEMSESSION) {
            contestant.stats = awaitBackupsWritten(contestant.tomcat.port());
        } else {
            awaitWritesSettled(contestant.store);
        }
        contestant.tomcat.kill();
        try (TomcatProcess fresh = startTomcat(contestant.setup, contestant.setup.slug() + "-fresh",
                contestant.arguments)) {
            contestant.lostUpdates = contestant.load.lostUpdatesOn(fresh.port());
        }
        contestant.evictions = contestant.store.evictions();
    }

    private List<String> tomcatArguments(Setup setup, SessionStore store) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("--route", ROUTE, "--profile-bytes",
                Integer.toString(options.profileBytes())));
        switch (setup.kind()) {
            case PLAIN -> {
                arguments.add("--plain");
                return arguments;
            }
            case MEMSESSION -> arguments.addAll(List.of("--attr",
                    "memcachedNodes=" + ((MemcachedPair) store).memcachedNodes()));
            case MSM -> arguments.addAll(List.of("--manager", MSM_MANAGER, "--attr",
                    "memcachedNodes=" + ((MemcachedPair) store).memcachedNodes()));
            case REDISSON -> {
                Path config = Files.writeString(logs.resolve(setup.slug() + "-redisson.yaml"),
                        ((RedisStore) store).redissonConfig());
                arguments.addAll(List.of("--manager", REDISSON_MANAGER, "--attr", "configPath=" + config));
            }
        }
        for (String attribute : setup.attributes()) {
            arguments.addAll(List.of("--attr", attribute.replace(KEY_FILE, keyFile.toString())));
        }
        return arguments;
    }

    /** {@code name} names the log file, and replaces {@code {tomcat}} in the JVM options (e.g. a profile's file). */
    private TomcatProcess startTomcat(Setup setup, String name, List<String> arguments) {
        List<String> jvmOptions = tomcatJvmOptions.stream().map(option -> option.replace("{tomcat}", name)).toList();
        Path log = logs.resolve(name + ".log");
        return switch (setup.kind()) {
            case PLAIN, MEMSESSION -> {
                String ownClassPath = System.getProperty("java.class.path");
                yield TomcatProcess.start(FreePorts.find(), log, jvmOptions, setup.revision() == null ? ownClassPath
                        : setup.revision().classPath(ownClassPath), SampleTomcat.class.getName(), arguments);
            }
            case MSM -> TomcatProcess.start(FreePorts.find(), log,
                    Stream.concat(jvmOptions.stream(), MSM_JVM_OPTIONS.stream()).toList(), peerClassPath("msm"),
                    SampleTomcat.class.getName(), arguments);
            case REDISSON -> TomcatProcess.start(FreePorts.find(), log, jvmOptions, peerClassPath("redisson"),
                    SampleTomcat.class.getName(), arguments);
        };
    }

    /**
     * Tomcat, the sample application and a peer's jars (copied by the build to {@code peer} in the directory of
     * the system property {@code benchmark.peerJars}), without memsession: it answers to msm's manager class name,
     * and each peer runs on its own jars only. The peer's class directories come before its jars, so that their
     * classes replace the jars' (msm's stand-in for a class of kryo-serializers).
     */
    private static String peerClassPath(String peer) {
        String peers = System.getProperty("benchmark.peerJars");
        if (peers == null) {
            throw new IllegalStateException("the peers' jars: set -Dbenchmark.peerJars to the directory the"
                    + " benchmarks build copies them to (benchmarks/target/peers); bin/benchmark does");
        }
        Path jars = Path.of(peers, peer);
        List<String> path = new ArrayList<>();
        // Tomcat needs its annotations API (javax.annotation.Resource) to start a context
        for (Class<?> type : List.of(Tomcat.class, Resource.class, SampleTomcat.class)) {
            path.add(Path.of(URI.create(type.getProtectionDomain().getCodeSource().getLocation().toString()))
                    .toString());
        }
        try (var files = Files.list(jars)) {
            List<Path> entries = files.filter(file -> Files.isDirectory(file) || file.toString().endsWith(".jar"))
                    .sorted(Comparator.comparing((Path file) -> !Files.isDirectory(file))
                            .thenComparing(Comparator.naturalOrder()))
                    .toList();
            entries.forEach(entry -> path.add(entry.toString()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the jars of " + peer + " in " + jars, e);
        }
        return String.join(File.pathSeparator, path);
    }

    /**
     * For a peer without memsession's statistics: waits until its store has received no write for a second (its
     * asynchronous writes go out as the requests end, so that is ample), so that killing Tomcat then loses only
     * what it failed to store.
     */
    private static void awaitWritesSettled(SessionStore store) throws InterruptedException {
        long deadline = System.nanoTime() + BACKUP_DRAIN_TIMEOUT.toNanos();
        long lastWrites = -1;
        while (System.nanoTime() < deadline) {
            long writes = store.writes();
            if (writes == lastWrites) {
                return;
            }
            lastWrites = writes;
            Thread.sleep(WRITES_SETTLED.toMillis());
        }
        throw new IllegalStateException("the session store still received writes "
                + BACKUP_DRAIN_TIMEOUT.toSeconds() + " s after the load stopped");
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

    private void printSummary(List<Contestant> contestants) {
        Contestant plain = contestants.get(0);
        System.out.printf("%n%-28s %10s %7s %11s %11s %6s %7s %9s %7s %9s %8s %12s %6s %6s %5s%n", "configuration",
                "requests/s", "x plain", "(IQR)", "(range)", "p50 ms", "p99 ms", "Tomcat µs", "+ plain",
                "store µs", "cmd/req", "lag avg/max*", "b.fail", "errors", "lost");
        for (Contestant contestant : contestants) {
            Spread throughput = Spread.of(contestant.throughputs);
            Spread ratio = Spread.of(Spread.ratios(contestant.throughputs, plain.throughputs));
            boolean stored = contestant.setup.kind() != Kind.PLAIN;
            System.out.printf(Locale.ROOT,
                    "%-28s %10.0f %7.2f %11s %11s %6.2f %7.2f %9.1f %7s %9s %8s %12s %6s %6d %5s%n",
                    contestant.setup.name(), throughput.median(), ratio.median(),
                    String.format(Locale.ROOT, "%.2f-%.2f", ratio.lowerQuartile(), ratio.upperQuartile()),
                    String.format(Locale.ROOT, "%.2f-%.2f", ratio.min(), ratio.max()),
                    millis(contestant.latencies.percentile(50)), millis(contestant.latencies.percentile(99)),
                    contestant.tomcatMicrosPerRequest(),
                    contestant == plain ? "" : String.format(Locale.ROOT, "%+.1f",
                            contestant.tomcatMicrosPerRequest() - plain.tomcatMicrosPerRequest()),
                    stored ? String.format(Locale.ROOT, "%.1f", contestant.storeMicrosPerRequest()) : "-",
                    stored ? String.format(Locale.ROOT, "%.2f", contestant.commands().total()
                            / (double) Math.max(1, contestant.requests)) : "-",
                    contestant.stats == null ? "-" : contestant.stats.figure("msmStatBackupLagInfo", "Avg") + " / "
                            + contestant.stats.figure("msmStatBackupLagInfo", "Max"),
                    contestant.stats == null ? "-"
                            : String.valueOf(contestant.stats.number("msmStatNumBackupFailures")),
                    contestant.load.errors(),
                    contestant.lostUpdates == null ? "-" : String.valueOf(contestant.lostUpdates.lost()));
        }
        System.out.printf("Over %d cycles: requests/s and x plain are medians of the slices (x plain: each cycle's"
                + " ratio to that cycle's plain slice), with the middle half (IQR) and the range of the ratios;"
                + " p50/p99 over all slices; Tomcat µs: CPU time of the Tomcat JVM per request, + plain: what it"
                + " adds to plain Tomcat's; store µs: CPU time of its session store (two memcached, or Redis) per"
                + " request; cmd/req: the store's commands per request; errors over the whole run, warm-up"
                + " included; lost: %s after killing Tomcat and starting a fresh one.%n", options.cycles(),
                options.hotSessions() > 0 ? "answered increments missing" : "sessions whose counter did not continue");
        System.out.println("* memsession only: backup lag: from the end of a request to the write of its session,"
                + " whole run; b.fail: backup failures");
        System.out.println("\nSession store commands and bytes received per request (memcached: both nodes, backup"
                + " copies included; Redis: by command):");
        for (Contestant contestant : contestants.subList(1, contestants.size())) {
            System.out.printf("  %-28s %s; the store evicted %d items%n", contestant.setup.name(),
                    contestant.commands().perRequest(contestant.requests), contestant.evictions);
            if (contestant.evictions > 0) {
                System.out.println("    evictions: the store ran out of room; sessions it dropped count as lost,"
                        + " though the session manager stored them");
            }
            if (contestant.lostUpdates != null && contestant.lostUpdates.firstLoss() != null) {
                System.out.println("    first lost update: " + contestant.lostUpdates.firstLoss());
            }
            if (contestant.firstError != null) {
                System.out.println("    first error: " + contestant.firstError);
            }
        }
        printAgainstPeers(contestants);
        if (options.hotSessions() > 0) {
            return; // the ratio targets are about the load of many sessions; with hot sessions, p99 and lost count
        }
        System.out.println("\nTargets (informational, issue 17):");
        for (Contestant contestant : contestants.subList(1, contestants.size())) {
            double target = contestant.setup.target();
            if (Double.isNaN(target)) {
                continue; // measured for comparison, with no target of its own
            }
            double ratio = Spread.of(Spread.ratios(contestant.throughputs, plain.throughputs)).median();
            System.out.printf(Locale.ROOT, "  %-28s >= %.2f x plain: %.2f x  %s%n", contestant.setup.name(), target,
                    ratio, ratio >= target ? "PASS" : "MISS");
        }
    }

    /**
     * Each peer against the memsession configuration it compares with, where both ran (issue 17: every mode ahead
     * of msm and of Redisson in the same run), by the median ratio to plain Tomcat.
     */
    private void printAgainstPeers(List<Contestant> contestants) {
        List<Double> plain = contestants.get(0).throughputs;
        List<String> lines = new ArrayList<>();
        for (Contestant peer : contestants) {
            String counterpart = peer.setup.counterpart();
            Contestant memsession = counterpart == null ? null : contestants.stream()
                    .filter(contestant -> contestant.setup == SETUPS.get(counterpart)).findFirst().orElse(null);
            if (memsession == null) {
                continue;
            }
            double ours = Spread.of(Spread.ratios(memsession.throughputs, plain)).median();
            double theirs = Spread.of(Spread.ratios(peer.throughputs, plain)).median();
            lines.add(String.format(Locale.ROOT, "  %-28s %.2f x plain, %-30s %.2f x: %s", memsession.setup.name(),
                    ours, peer.setup.name(), theirs, ours > theirs ? "AHEAD" : "BEHIND"));
        }
        if (!lines.isEmpty()) {
            System.out.println("\nAgainst the peers (informational, issue 17: every mode ahead of msm and Redisson):");
            lines.forEach(System.out::println);
        }
    }

    /** Each configuration's ratio to plain Tomcat per cycle; plain Tomcat itself as the line at 1. */
    private Plot.Chart chart(List<Contestant> contestants) {
        List<Double> plain = contestants.get(0).throughputs;
        List<Plot.Series> series = new ArrayList<>();
        for (Contestant contestant : contestants) {
            series.add(new Plot.Series(contestant.setup.name(), Spread.ratios(contestant.throughputs, plain).stream()
                    .mapToDouble(Double::doubleValue).toArray(), false));
        }
        int cycles = options.cycles();
        int every = Math.max(1, cycles / 20);
        List<Plot.Tick> ticks = new ArrayList<>();
        for (int cycle = 0; cycle < cycles; cycle += every) {
            ticks.add(new Plot.Tick(cycle + 0.5, String.valueOf(cycle + 1)));
        }
        String title = String.format(Locale.ROOT, "memsession interleaved benchmark%s: throughput per cycle against"
                        + " plain Tomcat's in the same cycle (%d s slices; cycle numbers below)",
                options.hotSessions() > 0 ? ", " + options.hotSessions() + " hot sessions" : "",
                options.slice().toSeconds());
        // headroom above plain Tomcat's line at 1, so it does not run along the frame
        return new Plot.Chart(title, cycles, "x plain", 1.2, null, 0, series, ticks, List.of(), null);
    }

    private static double millis(long micros) {
        return micros / 1000.0;
    }

    /**
     * One configuration of the benchmark.
     *
     * @param attributes the session manager's attributes besides where its store is ({@code memcachedNodes},
     *                   {@code configPath}), as {@code name=value}
     * @param target the throughput ratio to plain Tomcat issue 17 asks for; NaN for none
     * @param counterpart for a peer, the memsession configuration (by its option name) it compares with; else null
     * @param revision the other build of memsession it runs on; null for this build
     */
    private record Setup(String name, Kind kind, List<String> attributes, double target, String counterpart,
                         Revision revision) {

        /** The same configuration on another build; the targets are this build's to meet. */
        Setup on(Revision other) {
            return new Setup(name + " @" + other.label(), kind, attributes, Double.NaN, null, other);
        }

        /** The name as a file name for its Tomcat's log. */
        String slug() {
            return name.toLowerCase(Locale.ROOT).replace(' ', '-');
        }
    }

    /** Whose session manager a configuration runs. */
    private enum Kind { PLAIN, MEMSESSION, MSM, REDISSON }

    /** CPU times (nanoseconds) and session store commands at one moment. */
    private record Sample(long tomcatCpu, long storeCpu, StoreCommands commands) {
    }

    /** One configuration's warm Tomcat, its session store (none for plain Tomcat), its load and what they measured. */
    private static final class Contestant implements AutoCloseable {

        final Setup setup;
        final List<String> arguments;
        final SessionStore store;
        final TomcatProcess tomcat;
        final SlicedLoad load;
        /** Requests per second of each cycle's slice. */
        final List<Double> throughputs = new ArrayList<>();
        final LatencyHistogram latencies = new LatencyHistogram();
        long requests;
        String firstError;
        Sample start;
        Sample end;
        /** memsession's statistics once the backups were written; null for plain Tomcat and the peers. */
        MemsessionStats stats;
        /** Null for plain Tomcat. */
        LostUpdates lostUpdates;
        /** What the store evicted in the whole run, read after the check for lost updates. */
        long evictions;

        Contestant(Setup setup, List<String> arguments, SessionStore store, TomcatProcess tomcat,
                   SlicedLoad load) {
            this.setup = setup;
            this.arguments = arguments;
            this.store = store;
            this.tomcat = tomcat;
            this.load = load;
        }

        Sample sample() {
            if (store == null) {
                return new Sample(ProcessCpu.nanos(tomcat.pid()), 0, StoreCommands.NONE);
            }
            return new Sample(ProcessCpu.nanos(tomcat.pid()),
                    store.pids().stream().mapToLong(ProcessCpu::nanos).sum(), store.commands());
        }

        void markStart() {
            start = sample();
        }

        void markEnd() {
            end = sample();
        }

        /** One slice, with a progress line: the Tomcat's and its store's CPU during the slice itself. */
        void runSlice(Duration duration, int cycle, int cycles) throws InterruptedException {
            Sample before = sample();
            Slice slice = load.run(duration);
            Sample after = sample();
            throughputs.add(slice.requestsPerSecond());
            latencies.add(slice.latencies());
            requests += slice.requests();
            if (firstError == null) {
                firstError = slice.firstError();
            }
            double perRequest = 1000.0 * Math.max(1, slice.requests());
            System.out.printf(Locale.ROOT, "cycle %2d/%d %-28s %8.0f requests/s, p50 %.2f ms, p99 %.2f ms, Tomcat"
                            + " %.1f µs/req, store %.1f µs/req and %.2f commands/req, errors %d%n", cycle,
                    cycles, setup.name(), slice.requestsPerSecond(), millis(slice.latencies().percentile(50)),
                    millis(slice.latencies().percentile(99)), (after.tomcatCpu() - before.tomcatCpu()) / perRequest,
                    (after.storeCpu() - before.storeCpu()) / perRequest,
                    after.commands().since(before.commands()).total() / (double) Math.max(1, slice.requests()),
                    slice.errors());
        }

        /**
         * CPU per request over the measured cycles. The interval runs from the first cycle to the end of the last
         * one, idle time included, so work a Tomcat does after its slice (asynchronous backup) counts for it too.
         */
        double tomcatMicrosPerRequest() {
            return (end.tomcatCpu() - start.tomcatCpu()) / 1000.0 / Math.max(1, requests);
        }

        double storeMicrosPerRequest() {
            return (end.storeCpu() - start.storeCpu()) / 1000.0 / Math.max(1, requests);
        }

        /** The store's commands over the measured cycles. */
        StoreCommands commands() {
            return end.commands().since(start.commands());
        }

        boolean isCorrect() {
            return load.errors() == 0 && (lostUpdates == null || lostUpdates.lost() == 0);
        }

        @Override
        public void close() {
            tomcat.close();
            if (store != null) {
                store.close();
            }
        }
    }
}
