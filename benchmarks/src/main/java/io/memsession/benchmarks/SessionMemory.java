package io.memsession.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.ArrayList;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.memsession.samples.TomcatProcess;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.WebClient;

/**
 * What a sticky session costs in memory: the Tomcat heap per session (Tomcat's own session plus what memsession keeps
 * beside it) for plain Tomcat and for memsession, and the bytes memcached holds per session. Creates the sessions
 * with one request each (the sample's {@code CounterServlet}: an Integer and a 2 KB string), waits until the
 * asynchronous backup has written them all, then reads the heap in use after a full collection ({@code jcmd
 * GC.run}, {@code GC.heap_info}) against the same reading before the first session.
 *
 * <pre>SessionMemory [--sessions N]   (default 100000)</pre>
 */
public final class SessionMemory {

    /** Room per session in Tomcat's heap and in memcached, with ample margin over what the last runs measured. */
    private static final long ROOM_PER_SESSION_BYTES = 4096;
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long JCMD_TIMEOUT_SECONDS = 60;

    private SessionMemory() {
    }

    public static void main(String[] args) throws Exception {
        int sessions = args.length == 2 && args[0].equals("--sessions") ? Integer.parseInt(args[1]) : 100_000;
        Path logs = Files.createTempDirectory("memsession-session-memory-");
        long megabytes = Math.max(2048, sessions * ROOM_PER_SESSION_BYTES >> 20);
        List<String> jvmOptions = List.of("-Xms" + megabytes + "m", "-Xmx" + megabytes + "m", "-XX:+UseParallelGC");
        System.out.printf("memory per sticky session: %d sessions of the sample application (an Integer and a 2 KB"
                + " string), Tomcat JVM %s; logs in %s%n", sessions, String.join(" ", jvmOptions), logs);
        Reading plain = measure(sessions, logs, "plain", jvmOptions, megabytes, List.of("--plain"));
        Reading javaSerialization = measure(sessions, logs, "memsession-java", jvmOptions, megabytes, List.of());
        Reading kryo = measure(sessions, logs, "memsession-kryo", jvmOptions, megabytes,
                List.of("--attr", "transcoderFactoryClass=io.memsession.serializer.kryo.KryoTranscoderFactory"));
        System.out.printf("%n%-22s %16s %22s %18s%n", "configuration", "heap B/session", "over plain B/session",
                "memcached B/session");
        for (Reading reading : List.of(plain, javaSerialization, kryo)) {
            System.out.printf(Locale.ROOT, "%-22s %16.0f %22s %18s%n", reading.name, reading.heapPerSession(),
                    reading == plain ? "-" : String.format(Locale.ROOT, "%.0f",
                            reading.heapPerSession() - plain.heapPerSession()),
                    reading == plain ? "-" : String.format(Locale.ROOT, "%.0f", reading.memcachedPerSession()));
        }
    }

    private static Reading measure(int sessions, Path logs, String name, List<String> jvmOptions,
                                   long memcachedMegabytes, List<String> configuration)
            throws IOException, InterruptedException {
        try (MemcachedProcess n1 = MemcachedProcess.start(FreePorts.find(), "-m", Long.toString(memcachedMegabytes));
             MemcachedInspector inspector = MemcachedInspector.connect(n1)) {
            List<String> arguments = new ArrayList<>(List.of("--route", "tc1"));
            if (!configuration.contains("--plain")) {
                arguments.addAll(List.of("--attr", "memcachedNodes=n1:" + n1.address()));
            }
            arguments.addAll(configuration);
            try (TomcatProcess tomcat = TomcatProcess.start(FreePorts.find(), logs.resolve(name + ".log"), jvmOptions,
                    arguments);
                 WebClient client = new WebClient()) {
                client.get(tomcat.port(), "/"); // loads the classes a session needs, so the baseline holds them
                client.clearCookies();
                long before = heapUsedAfterFullGc(tomcat.pid());
                for (int i = 0; i < sessions; i++) {
                    client.clearCookies();
                    WebClient.Response response = client.get(tomcat.port(), "/");
                    if (response.status() != 200) {
                        throw new IllegalStateException(name + ": request " + i + " answered " + response.status());
                    }
                }
                if (!configuration.contains("--plain")) {
                    awaitStored(inspector, sessions + 1);
                }
                long after = heapUsedAfterFullGc(tomcat.pid());
                Reading reading = new Reading(name, sessions, after - before, inspector.stat("bytes"));
                System.out.printf(Locale.ROOT, "%s: heap %.1f MB more after %d sessions, memcached %.1f MB%n", name,
                        reading.heapBytes / 1e6, sessions, reading.memcachedBytes / 1e6);
                return reading;
            }
        }
    }

    /** The asynchronous backup writes about 100 ms after each request: waits until memcached holds every session. */
    private static void awaitStored(MemcachedInspector inspector, long items) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (inspector.stat("curr_items") < items) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("memcached holds " + inspector.stat("curr_items") + " of " + items
                        + " sessions 60 s after the last request");
            }
            Thread.sleep(100);
        }
    }

    private static long heapUsedAfterFullGc(long pid) {
        jcmd(pid, "GC.run");
        String heap = jcmd(pid, "GC.heap_info");
        long kilobytes = 0;
        for (String line : heap.split("\n")) {
            Matcher used = HEAP_USED.matcher(line);
            if (line.contains("Gen ") && used.find()) {
                kilobytes += Long.parseLong(used.group(1)); // the young and the old generation, not Metaspace
            }
        }
        if (kilobytes == 0) {
            throw new IllegalStateException("no heap figures in jcmd's answer: " + heap);
        }
        return kilobytes * 1024;
    }

    private static String jcmd(long pid, String command) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(jcmd + " " + command + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + jcmd, e);
        }
    }

    private record Reading(String name, int sessions, long heapBytes, long memcachedBytes) {

        double heapPerSession() {
            return (double) heapBytes / sessions;
        }

        double memcachedPerSession() {
            return (double) memcachedBytes / sessions;
        }
    }
}
