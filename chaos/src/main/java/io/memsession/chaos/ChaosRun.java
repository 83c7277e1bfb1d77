package io.memsession.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import io.memsession.testkit.Plot;
import io.memsession.testkit.WebClient;

/**
 * bin/chaos: real Tomcat 9 distributions with memsession behind a real load balancer, client sessions counting
 * while Tomcats and memcached nodes are killed, paused and restarted on a schedule. When the load stops, every
 * session's counter is read and compared with every increment its clients were told about.
 */
public final class ChaosRun {

    /** What one run found; {@link #report()} is the table bin/chaos prints. */
    public record Result(long answers, long lost, long resets, long lostInResets, long appliedTwice,
                         Map<Integer, Long> errors, int mostInOnePlace, int mostNowhere, String report, Path plot,
                         List<String> severeLines) {
    }

    private ChaosRun() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChaosOptions options;
        try {
            options = ChaosOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println((e.getMessage().equals("usage") ? "" : e.getMessage() + "\n\n") + ChaosOptions.USAGE);
            System.exit(2);
            return;
        }
        Result result = run(options, requiredFile("memsession.jar"), requiredFile("tomcat.distribution"));
        System.out.println(result.report());
        System.exit(result.lost() == 0 && result.resets() == 0 ? 0 : 1);
    }

    /** Runs the arguments as bin/chaos would, for tests. */
    public static Result run(Path memsessionJar, Path distribution, String... args) throws InterruptedException {
        return run(ChaosOptions.parse(args), memsessionJar, distribution);
    }

    static Result run(ChaosOptions options, Path memsessionJar, Path distribution) throws InterruptedException {
        Path output = options.output().toAbsolutePath().resolve(options.modeName());
        Path work = output.resolve("servers");
        deleteRecursively(work);
        createDirectories(work);
        try (Cluster cluster = Cluster.start(options, memsessionJar, distribution, work)) {
            // the faults' seconds count from the start of the load
            Timeline loadTimeline = new Timeline((int) options.duration().toSeconds());
            Load load = new Load(cluster.port(), options, loadTimeline);
            PlacesProbe probe = new PlacesProbe(cluster, options.sticky(), loadTimeline);
            load.start();
            Thread faults = new Thread(() -> runSchedule(options, cluster, loadTimeline), "chaos-schedule");
            faults.setDaemon(true);
            faults.start();
            long end = System.nanoTime() + options.duration().toNanos();
            for (int second = 1; System.nanoTime() < end; second++) {
                sleepUntil(loadTimeline, second);
                probe.probe(load.sessions());
            }
            load.stop();
            faults.join(120_000);
            cluster.resumeAll();
            probe.close();
            return check(options, cluster, load, loadTimeline, output);
        }
    }

    private static void runSchedule(ChaosOptions options, Cluster cluster, Timeline timeline) {
        for (Fault fault : options.schedule()) {
            sleepUntil(timeline, fault.at().toMillis() / 1000.0);
            timeline.fault(fault.label());
            try {
                cluster.apply(fault);
            } catch (RuntimeException e) {
                timeline.fault("failed: " + fault.label());
                System.err.println("chaos: " + fault + " failed: " + e.getMessage());
            }
        }
    }

    private static Result check(ChaosOptions options, Cluster cluster, Load load, Timeline timeline, Path output) {
        Map<CountedSession.Kind, long[]> byKind = new EnumMap<>(CountedSession.Kind.class);
        long unread = 0;
        int longestExposure = 0;
        int exposedSessions = 0;
        try (WebClient client = new WebClient()) {
            for (CountedSession session : load.sessions()) {
                if (session.id() == null) {
                    continue;
                }
                long counter = load.read(client, session);
                long twice = 0;
                if (counter < 0) {
                    unread++;
                } else {
                    twice = session.finished(counter);
                }
                // sessions, answers, lost, resets, lost in resets, applied twice
                long[] sums = byKind.computeIfAbsent(session.kind, kind -> new long[6]);
                sums[0]++;
                sums[1] += session.answers();
                sums[2] += session.lost();
                sums[3] += session.resets();
                sums[4] += session.lostInResets();
                sums[5] += twice;
                longestExposure = Math.max(longestExposure, session.secondsExposed());
                if (session.secondsExposed() > 0) {
                    exposedSessions++;
                }
            }
        }
        long[] all = new long[6];
        byKind.values().forEach(sums -> {
            for (int i = 0; i < all.length; i++) {
                all[i] += sums[i];
            }
        });
        int mostInOnePlace = 0;
        int mostNowhere = 0;
        for (int s = 0; s < timeline.seconds(); s++) {
            mostInOnePlace = Math.max(mostInOnePlace, timeline.inOnePlace(s));
            mostNowhere = Math.max(mostNowhere, timeline.nowhere(s));
        }
        String title = "memsession " + options.modeName() + " behind " + cluster.balancerName() + ", schedule "
                + options.scheduleName();
        Path plot = output.resolve("chaos-" + options.modeName() + ".png");
        Plot.write(chart(timeline, load.sessions().size(), title), plot);

        StringBuilder report = new StringBuilder();
        report.append(title).append('\n')
                .append(String.format(Locale.ROOT, "%d Tomcat 9 distributions, %d memcached nodes, %s; %d client "
                                + "sessions, %d idle, %d hot x %d threads; %d s%n", options.tomcats(),
                        options.memcachedNodes(), options.sticky() ? "sessionBackupAsync=\"" + options.backupAsync()
                                + "\"" : "lockingMode=\"all\"", options.clients(), options.idleSessions(),
                        options.hotSessions(), options.hotClients(), options.duration().toSeconds()));
        report.append("faults:");
        for (Timeline.Mark fault : timeline.faults()) {
            report.append(String.format(Locale.ROOT, " %.1fs %s;", fault.second(), fault.label()));
        }
        report.append('\n');
        report.append(String.format(Locale.ROOT, "%n%-9s %8s %10s %6s %7s %16s %13s%n", "sessions", "count",
                "answered", "lost", "resets", "lost in resets", "applied twice"));
        byKind.forEach((kind, sums) -> report.append(row(kind.name().toLowerCase(Locale.ROOT), sums)));
        report.append(row("all", all));
        Map<Integer, Long> errors = timeline.errorStatuses();
        report.append("\nerrors (requests without a counted answer):");
        if (errors.isEmpty()) {
            report.append(" none");
        }
        errors.forEach((status, count) -> report.append(' ')
                .append(status == Timeline.NO_ANSWER ? "no answer" : "HTTP " + status).append(" x").append(count)
                .append(';'));
        report.append(String.format(Locale.ROOT, "%nrequests answered: %d (%.0f/s)%n", all[1],
                all[1] / (double) options.duration().toSeconds()));
        report.append(String.format(Locale.ROOT, "in one place only or none (probed each second): at most %d "
                        + "sessions at once, %d in none; %d sessions ever, the longest %d s%n", mostInOnePlace,
                mostNowhere, exposedSessions, longestExposure));
        for (Timeline.Mark problem : timeline.problems()) {
            report.append(String.format(Locale.ROOT, "  at %.1fs %s%n", problem.second(), problem.label()));
        }
        if (unread > 0) {
            report.append(unread).append(" sessions could not be read at the end (no Tomcat answered)\n");
        }
        List<String> severe = cluster.severeLines();
        report.append("SEVERE lines in the Tomcats' consoles: ").append(severe.size()).append('\n');
        severe.stream().limit(5).forEach(line -> report.append("  ").append(line).append('\n'));
        report.append("plot: ").append(plot.toAbsolutePath()).append('\n');
        write(output.resolve("chaos-" + options.modeName() + ".txt"), report.toString());
        return new Result(all[1], all[2], all[3], all[4], all[5], errors, mostInOnePlace, mostNowhere,
                report.toString(), plot, severe);
    }

    /**
     * The run as a chart: answered requests per second (left scale), errors per second, sessions in one place only
     * and sessions in none (right scale, which reaches at least the number of sessions), a dashed line at every fault.
     */
    private static Plot.Chart chart(Timeline timeline, int sessions, String title) {
        int seconds = timeline.seconds();
        double[] answers = new double[seconds];
        double[] errors = new double[seconds];
        double[] inOnePlace = new double[seconds];
        double[] nowhere = new double[seconds];
        for (int s = 0; s < seconds; s++) {
            answers[s] = timeline.answers(s);
            errors[s] = timeline.errors(s);
            inOnePlace[s] = timeline.inOnePlace(s);
            nowhere[s] = timeline.nowhere(s);
        }
        List<Plot.Tick> ticks = new ArrayList<>();
        for (int s = 0; s <= seconds; s += 5) {
            ticks.add(new Plot.Tick(s, s + " s"));
        }
        List<Plot.Mark> marks = timeline.faults().stream()
                .map(fault -> new Plot.Mark(fault.second(), fault.label())).toList();
        return new Plot.Chart(title, seconds, "requests/s", 1, "sessions, errors/s", sessions,
                List.of(new Plot.Series("answered/s", answers, false), new Plot.Series("errors/s", errors, true),
                        new Plot.Series("sessions in one place only", inOnePlace, true),
                        new Plot.Series("sessions in no place", nowhere, true)),
                ticks, marks, "dashed: faults");
    }

    private static String row(String name, long[] sums) {
        return String.format(Locale.ROOT, "%-9s %8d %10d %6d %7d %16d %13d%n", name, sums[0], sums[1], sums[2],
                sums[3], sums[4], sums[5]);
    }

    private static void sleepUntil(Timeline timeline, double second) {
        long millis = (long) ((second - timeline.elapsedSeconds()) * 1000);
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A system property, else what the build wrote into chaos-build.properties; it must name a file. */
    private static Path requiredFile(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            try (InputStream in = ChaosRun.class.getResourceAsStream("/chaos-build.properties")) {
                Properties build = new Properties();
                if (in != null) {
                    build.load(in);
                }
                value = build.getProperty(property);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            System.err.println(property + " must name an existing file, but is " + value + "; run bin/chaos, which"
                    + " builds it");
            System.exit(2);
        }
        return Path.of(value);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path entry : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
