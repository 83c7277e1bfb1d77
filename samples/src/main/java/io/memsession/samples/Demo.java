package io.memsession.samples;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.WebClient;

/**
 * The demo the README starts with ({@code bin/demo}): two memcached nodes, two Tomcats running the
 * {@link CounterServlet}, and one browser session that lives through a Tomcat crash and a memcached crash; then the
 * same without sticky sessions, with two more Tomcats in non-sticky mode. Every step is printed with what to look
 * at and checked; any surprise ends the demo with a message and exit code 1.
 *
 * <p>Runs the Tomcats as child JVMs on this JVM's class path, so it is started with {@code java -classpath ...}
 * (Maven's {@code exec:exec}), not inside Maven's JVM. With {@code --boot=<jar>} ({@code bin/demo --boot}) the
 * Tomcats are the Spring Boot sample's (samples/spring-boot), each {@code java -jar <jar>}, configured through the
 * starter's {@code memsession.*} properties instead of the Manager's attributes.
 */
public final class Demo {

    private static final List<String> NODE_IDS = List.of("n1", "n2");
    private static final List<String> ROUTES = List.of("tc1", "tc2");
    private static final List<String> NON_STICKY_ROUTES = List.of("tc3", "tc4");
    private static final int STEPS = 8;
    /** How long the demo waits for a backup copy, which non-sticky mode writes off the request path. */
    private static final Duration COPY_LIMIT = Duration.ofSeconds(5);
    private static final Duration COPY_POLL = Duration.ofMillis(20);
    private static final String COOKIE = "JSESSIONID";
    /** Small, quick-starting JVMs: each Tomcat serves a handful of requests on what may be a 2-core machine. */
    private static final List<String> TOMCAT_JVM_OPTIONS = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");
    /**
     * The manager probes its memcached nodes every 0.5 s: after two probes it has almost always noticed a dead
     * node, so the next request shows the move; on a slower machine the demo asks again, up to the limit.
     */
    private static final Duration NODE_DEATH_NOTICE_GRACE = Duration.ofSeconds(1);
    private static final Duration NODE_DEATH_NOTICE_LIMIT = Duration.ofSeconds(10);
    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);
    private static final Pattern ANSWER = Pattern.compile("session=(\\S+) counter=(\\d+) tomcat=(\\S+)\\s*");

    private final PrintStream out;
    /** The Spring Boot sample's jar the Tomcats run, or null for {@link SampleTomcat}. */
    private final Path bootJar;
    private final Map<String, MemcachedProcess> memcachedNodes = new LinkedHashMap<>();
    private final Map<String, TomcatProcess> tomcats = new LinkedHashMap<>();
    private final WebClient browser = new WebClient();
    private final List<Answer> answers = new ArrayList<>();
    private Path workDirectory;
    private String memcachedNodesAttribute;
    /** Part 2: non-sticky Tomcats; the counter starts again with a new session at {@link #partStart}. */
    private boolean nonSticky;
    private int partStart;

    private Demo(PrintStream out, Path bootJar) {
        this.out = out;
        this.bootJar = bootJar;
    }

    /** {@code --boot=<jar>} runs the Spring Boot sample's jar; no argument (or an empty one), SampleTomcat. */
    public static void main(String[] args) {
        Path bootJar = null;
        for (String arg : args) {
            if (arg.startsWith("--boot=")) {
                bootJar = Path.of(arg.substring("--boot=".length()));
            } else if (!arg.isBlank()) {
                throw new IllegalArgumentException("unknown argument " + arg + "; the demo takes --boot=<jar>");
            }
        }
        System.exit(run(System.out, bootJar).passed() ? 0 : 1);
    }

    /** Runs the whole demo, printing to {@code out}; every process it started is stopped when this returns. */
    public static Outcome run(PrintStream out) {
        return run(out, null);
    }

    /** The demo on the Spring Boot sample's jar ({@code bootJar}), or on SampleTomcat when it is null. */
    public static Outcome run(PrintStream out, Path bootJar) {
        long startNanos = System.nanoTime();
        Demo demo = new Demo(out, bootJar);
        String failure = null;
        try {
            demo.startServers();
            demo.threeRequestsOnTc1();
            demo.tomcatCrash();
            demo.memcachedCrash();
            demo.noUpdateLost();
            demo.startNonStickyTomcats();
            demo.roundRobin();
            demo.memcachedCrashNonSticky();
            demo.tomcatCrashNonSticky();
            demo.noUpdateLost();
        } catch (ExpectationFailed e) {
            failure = e.getMessage();
        } catch (RuntimeException e) {
            failure = "the demo itself broke: " + e;
        } finally {
            demo.stopEverything();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        String seconds = String.format("%.1f s", took.toMillis() / 1000.0);
        out.println();
        if (failure == null) {
            out.println("Demo passed in " + seconds + ".");
            demo.deleteWorkDirectory();
        } else {
            out.println("Demo FAILED after " + seconds + ": " + failure);
            if (demo.workDirectory != null) {
                out.println("The Tomcats' logs are in " + demo.workDirectory + " (tc1.log ... tc4.log)");
            }
        }
        return new Outcome(List.copyOf(demo.answers), demo.partStart, failure, took);
    }

    // ---------------------------------------------------------------- the steps

    private void startServers() {
        out.println("memsession demo: one browser session survives a Tomcat crash and a memcached crash, with sticky");
        out.println("sessions and without.");
        out.println();
        out.println("Starting two memcached nodes and two Tomcats, all on 127.0.0.1 ...");
        for (String nodeId : NODE_IDS) {
            MemcachedProcess memcached = MemcachedProcess.start();
            memcachedNodes.put(nodeId, memcached);
            out.println("  memcached node " + nodeId + "  " + memcached.address());
        }
        String nodes = memcachedNodes.entrySet().stream()
                .map(node -> node.getKey() + ":" + node.getValue().address())
                .collect(Collectors.joining(","));
        memcachedNodesAttribute = nodes;
        try {
            workDirectory = Files.createTempDirectory("memsession-demo-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String route : ROUTES) {
            startTomcat(route, "sessionBackupAsync=false");
        }
        out.println("Both Tomcats run memsession with memcachedNodes=\"" + nodes + "\"");
        out.println("and sessionBackupAsync=\"false\": each request's session is in memcached before its response");
        out.println("is sent, so no crash below can overtake a write. The page counts the browser's requests in");
        out.println("its session.");
    }

    private void startTomcat(String route, String... attributes) {
        int port = FreePorts.find();
        List<String> arguments = new ArrayList<>(List.of("--route", route, "--base-dir",
                workDirectory.resolve(route).toString(), "--attr", "memcachedNodes=" + memcachedNodesAttribute));
        for (String attribute : attributes) {
            arguments.addAll(List.of("--attr", attribute));
        }
        Path log = workDirectory.resolve(route + ".log");
        tomcats.put(route, bootJar == null ? TomcatProcess.start(port, log, TOMCAT_JVM_OPTIONS, arguments)
                : TomcatProcess.startBoot(port, log, TOMCAT_JVM_OPTIONS, bootJar, route, memcachedNodesAttribute,
                        List.of(attributes)));
        out.println("  Tomcat " + route + "         http://127.0.0.1:" + port + "/");
    }

    private void threeRequestsOnTc1() {
        step(1, "three requests to tc1");
        out.println("  With sticky sessions a load balancer keeps sending the browser to the Tomcat named in");
        out.println("  the session id's route part: here, tc1.");
        Answer first = request("tc1");
        expect(first.newCookie(), "the first request got no session cookie");
        for (int i = 0; i < 2; i++) {
            Answer answer = request("tc1");
            expect(answer.sessionId().equals(first.sessionId()), "the session id changed on tc1 from "
                    + first.sessionId() + " to " + answer.sessionId());
            expect(!answer.newCookie(), "tc1 sent a new cookie although nothing happened");
        }
    }

    private void tomcatCrash() {
        step(2, "tc1 crashes (kill -9)");
        Answer before = last();
        tomcats.get("tc1").kill();
        out.println("  tc1 was killed: no shutdown, nothing saved at the last moment.");
        out.println("  The load balancer sends the next request to tc2, which has never seen this session:");
        out.println("  tc2 reads it from memcached, renames it to route tc2 and gives the browser a new cookie.");
        Answer answer = request("tc2");
        String expectedId = before.base() + "-" + before.node() + ".tc2";
        expect(answer.sessionId().equals(expectedId), "expected tc2 to rename " + before.sessionId() + " to "
                + expectedId + ", but the session id is " + answer.sessionId());
        expect(answer.newCookie(), "tc2 renamed the session but sent no new cookie");
        out.println("  => The counter went on from " + before.counter() + " to " + answer.counter()
                + " on tc2, and the key under the old id");
        out.println("     " + before.sessionId() + " is gone from memcached.");
    }

    private void memcachedCrash() {
        Answer before = last();
        String deadNode = before.node();
        String survivor = NODE_IDS.stream().filter(node -> !node.equals(deadNode)).findFirst().orElseThrow();
        step(3, "memcached node " + deadNode + ", which holds the session, crashes (kill -9)");
        memcachedNodes.get(deadNode).kill();
        out.println("  " + deadNode + " was killed, and the stored session with it. tc2 still has the session in"
                + " memory.");
        out.println("  tc2 checks its memcached nodes every 0.5 s; once it has noticed that " + deadNode
                + " is down, the next");
        out.println("  request moves the session to " + survivor + ": new node part, new cookie, written to "
                + survivor + ".");
        out.println("  The browser waits " + NODE_DEATH_NOTICE_GRACE.toSeconds() + " s before its next request.");
        pause(NODE_DEATH_NOTICE_GRACE);
        Answer answer = requestUntilMovedOff(deadNode);
        String expectedId = before.base() + "-" + survivor + ".tc2";
        expect(answer.sessionId().equals(expectedId), "expected the session to move to " + expectedId
                + ", but its id is " + answer.sessionId());
        expect(answer.newCookie(), "the session moved to " + survivor + " but tc2 sent no new cookie");
        out.println("  => The counter went on from " + before.counter() + " to " + answer.counter()
                + ", and the session is now stored on " + survivor + ".");
    }

    private void noUpdateLost() {
        step(nonSticky ? 8 : 4, "was any update lost?");
        Answer answer = last();
        int sent = answers.size() - partStart;
        expect(answer.counter() == sent, "the browser sent " + sent + " requests but the counter is "
                + answer.counter());
        out.println("  The browser sent " + sent + " requests and the counter is " + answer.counter()
                + ": no update was lost,");
        out.println("  through a Tomcat crash and a memcached crash.");
    }

    private void startNonStickyTomcats() {
        out.println();
        out.println("Part 2: the same without sticky sessions.");
        out.println("  The memcached node that crashed comes back (empty), tc2 stops, and two more Tomcats start");
        out.println("  with sticky=\"false\" lockingMode=\"all\": every request reads the session from memcached and");
        out.println("  writes it back before its response; a backup copy lives on the other node.");
        memcachedNodes.values().stream().filter(node -> !node.isRunning()).forEach(MemcachedProcess::restart);
        stopQuietly(tomcats.remove("tc2"));
        for (String route : NON_STICKY_ROUTES) {
            startTomcat(route, "sticky=false", "lockingMode=all");
        }
        nonSticky = true;
        partStart = answers.size();
        browser.clearCookies();
    }

    private void roundRobin() {
        step(5, "four requests, taking turns between tc3 and tc4");
        out.println("  The load balancer is free to send any request anywhere. The id's route part names the");
        out.println("  Tomcat that created the session; in non-sticky mode no Tomcat owns it.");
        Answer first = request("tc3");
        expect(first.newCookie(), "the first request got no session cookie");
        for (String route : List.of("tc4", "tc3", "tc4")) {
            Answer answer = request(route);
            expect(answer.sessionId().equals(first.sessionId()), "the session id changed from "
                    + first.sessionId() + " to " + answer.sessionId() + " on " + route);
            expect(!answer.newCookie(), route + " sent a new cookie although nothing happened");
        }
    }

    private void memcachedCrashNonSticky() {
        Answer before = last();
        String deadNode = before.node();
        String survivor = NODE_IDS.stream().filter(node -> !node.equals(deadNode)).findFirst().orElseThrow();
        step(6, "memcached node " + deadNode + ", which holds the session, crashes (kill -9)");
        memcachedNodes.get(deadNode).kill();
        out.println("  No Tomcat has the session in memory now: the next request finds its backup copy on "
                + survivor + ",");
        out.println("  and the session moves there: new node part, new cookie. The browser asks at once.");
        Answer answer = request("tc3");
        String expectedId = before.sessionId().replace("-" + deadNode + ".", "-" + survivor + ".");
        expect(answer.sessionId().equals(expectedId), "expected the session to move to " + expectedId
                + ", but its id is " + answer.sessionId());
        expect(answer.newCookie(), "the session moved to " + survivor + " but tc3 sent no new cookie");
        out.println("  => The counter went on from " + before.counter() + " to " + answer.counter()
                + ", restored from the copy on " + survivor + ".");
    }

    private void tomcatCrashNonSticky() {
        step(7, "tc3 crashes (kill -9)");
        Answer before = last();
        tomcats.get("tc3").kill();
        out.println("  tc4 reads the session from memcached, as for every request: the id stays as it is.");
        Answer answer = request("tc4");
        expect(answer.sessionId().equals(before.sessionId()), "the session id changed from "
                + before.sessionId() + " to " + answer.sessionId());
        out.println("  => The counter went on from " + before.counter() + " to " + answer.counter() + " on tc4.");
    }

    // ---------------------------------------------------------------- one request

    /**
     * Asks tc2 until the session's id no longer names {@code deadNode}. Until tc2 notices the node is down it
     * serves the session from memory (its write to the dead node fails), so the counter still goes up by one.
     */
    private Answer requestUntilMovedOff(String deadNode) {
        long deadline = System.nanoTime() + NODE_DEATH_NOTICE_LIMIT.toNanos();
        while (true) {
            Answer answer = request("tc2");
            if (!answer.node().equals(deadNode)) {
                return answer;
            }
            expect(System.nanoTime() < deadline, "tc2 kept the session on " + deadNode + " for "
                    + NODE_DEATH_NOTICE_LIMIT.toSeconds() + " s after that node died");
            out.println("  tc2 has not noticed yet that " + deadNode + " is down; the browser asks again.");
            pause(RETRY_PAUSE);
        }
    }

    /** Sends the browser's next request to {@code route}, prints what to look at and checks what always holds. */
    private Answer request(String route) {
        Answer previous = answers.isEmpty() ? null : last();
        WebClient.Response response = browser.get(tomcats.get(route).port(), "/");
        expect(response.status() == 200, route + " answered HTTP " + response.status());
        Matcher body = ANSWER.matcher(response.body());
        expect(body.matches(), route + " answered something unexpected: " + response.body());
        Answer answer = new Answer(body.group(3), Integer.parseInt(body.group(2)), body.group(1),
                response.setCookieValue(COOKIE) != null);
        answers.add(answer);
        out.println();
        out.println("  Request " + answers.size() + " -> answered by " + answer.tomcat() + ", counter = "
                + answer.counter());
        expect(answer.hasNodeAndRoute(), "the session id " + answer.sessionId()
                + " is not of the form <random part>-<memcached node>.<Tomcat route>");
        Map<String, List<String>> stored = storedCopies(answer);
        print(answer, previous, stored);

        expect(answer.tomcat().equals(route), "the request to " + route + " was answered by " + answer.tomcat());
        expect(nonSticky || answer.route().equals(route), "the session id " + answer.sessionId()
                + " does not name the Tomcat that serves it, " + route);
        expect(answer.sessionId().equals(browser.cookie(COOKIE)), "the browser's cookie "
                + browser.cookie(COOKIE) + " is not the session id " + answer.sessionId());
        expect(answer.counter() == answers.size() - partStart, "request " + answers.size() + " saw counter "
                + answer.counter() + ": an update was lost");
        if (nonSticky) {
            expectSessionAndCopy(answer);
        } else {
            expectStoredOnlyUnder(answer, stored);
        }
        return answer;
    }

    /**
     * With synchronous backups memcached must hold the session under its current id on the node the id names and,
     * written with it, its second copy on the other node under the id with that node's part, while both are up (a
     * session whose node is down moved to the other, where it is alone): an old id's keys must be gone.
     */
    private void expectStoredOnlyUnder(Answer answer, Map<String, List<String>> stored) {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String nodeId : stored.keySet()) {
            String secondCopy = answer.base() + "-" + nodeId + "." + answer.route();
            expected.put(nodeId, nodeId.equals(answer.node()) ? List.of(answer.sessionId())
                    : stored.containsKey(answer.node()) ? List.of(secondCopy) : List.of());
        }
        expect(stored.equals(expected), "memcached should hold " + expected + " for this session (node: keys),"
                + " but holds " + stored);
    }

    /**
     * Non-sticky: the session under its id on the node the id names and, once written off the request path, the
     * same bytes as its backup copy on the other node, if that one is up.
     */
    private void expectSessionAndCopy(Answer answer) {
        String other = NODE_IDS.stream().filter(node -> !node.equals(answer.node())).findFirst().orElseThrow();
        try (MemcachedInspector primary = MemcachedInspector.connect(memcachedNodes.get(answer.node()))) {
            byte[] session = primary.get(answer.sessionId());
            expect(session != null, "memcached node " + answer.node() + " does not hold " + answer.sessionId());
            if (!isRunning(other)) {
                return;
            }
            try (MemcachedInspector backup = MemcachedInspector.connect(memcachedNodes.get(other))) {
                long deadline = System.nanoTime() + COPY_LIMIT.toNanos();
                while (!Arrays.equals(session, backup.get("bak:" + answer.sessionId()))) {
                    expect(System.nanoTime() < deadline, "no current backup copy of " + answer.sessionId() + " on "
                            + other + " after " + COPY_LIMIT.toSeconds() + " s");
                    pause(COPY_POLL);
                }
            }
        }
        out.println("    backup      " + other + ": key bak:" + answer.sessionId() + ", the same as on "
                + answer.node());
    }

    private void print(Answer answer, Answer previous, Map<String, List<String>> stored) {
        String label = "    session id  ";
        out.println(label + answer.sessionId());
        if (previous != null && answer.sessionId().equals(previous.sessionId())) {
            out.println(" ".repeat(label.length()) + "(unchanged)");
        } else {
            // Carets under the node and route parts, each explained below them.
            String indent = " ".repeat(label.length() + answer.base().length() + 1);
            out.println(indent + "^".repeat(answer.node().length()) + " " + "^".repeat(answer.route().length()));
            out.println(indent + "|" + " ".repeat(answer.node().length()) + "route " + answer.route()
                    + (nonSticky ? ": the Tomcat that created the session" : ": the Tomcat that has the session")
                    + changedFrom(previous == null ? null : previous.route(), answer.route()));
            out.println(indent + "node " + answer.node() + ": the memcached node that stores it"
                    + changedFrom(previous == null ? null : previous.node(), answer.node()));
        }
        out.println("    cookie      " + (answer.newCookie() ? "new: the response set " + COOKIE + "="
                + answer.sessionId() : "no new cookie, the browser keeps its " + COOKIE));
        out.println("    memcached   " + NODE_IDS.stream()
                .map(nodeId -> nodeId + ": " + describe(stored.get(nodeId)))
                .collect(Collectors.joining("   ")));
    }

    private static String changedFrom(String before, String now) {
        return before == null || before.equals(now) ? "" : " (was " + before + ")";
    }

    private static String describe(List<String> keys) {
        if (keys == null) {
            return "down";
        }
        return keys.isEmpty() ? "nothing of this session" : "key " + String.join(", ", keys);
    }

    /** The keys of the answer's session on each running node, found by the random part all its ids share. */
    private Map<String, List<String>> storedCopies(Answer answer) {
        Map<String, List<String>> stored = new LinkedHashMap<>();
        for (String nodeId : NODE_IDS) {
            if (isRunning(nodeId)) {
                try (MemcachedInspector inspector = MemcachedInspector.connect(memcachedNodes.get(nodeId))) {
                    stored.put(nodeId, inspector.keys().stream().filter(key -> key.contains(answer.base()))
                            .sorted().toList());
                }
            }
        }
        return stored;
    }

    // ---------------------------------------------------------------- helpers

    private boolean isRunning(String nodeId) {
        MemcachedProcess memcached = memcachedNodes.get(nodeId);
        return memcached != null && memcached.isRunning();
    }

    private Answer last() {
        return answers.get(answers.size() - 1);
    }

    private void step(int number, String title) {
        out.println();
        out.println("Step " + number + " of " + STEPS + ": " + title);
    }

    private static void expect(boolean condition, String whatWentWrong) {
        if (!condition) {
            throw new ExpectationFailed(whatWentWrong);
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ExpectationFailed("interrupted");
        }
    }

    /** Stops what this demo started, each through its own handle; one failure does not keep the others running. */
    private void stopEverything() {
        out.println();
        out.println("Stopping the Tomcats and memcached nodes the demo started.");
        browser.close();
        for (TomcatProcess tomcat : tomcats.values()) {
            stopQuietly(tomcat);
        }
        for (MemcachedProcess memcached : memcachedNodes.values()) {
            stopQuietly(memcached);
        }
    }

    private void stopQuietly(AutoCloseable process) {
        try {
            process.close();
        } catch (Exception e) {
            out.println("  could not stop " + process + ": " + e);
        }
    }

    /** A passed demo leaves nothing behind; a failed one keeps the Tomcats' logs for the reader. */
    private void deleteWorkDirectory() {
        if (workDirectory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(workDirectory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            out.println("could not delete " + workDirectory + ": " + e);
        }
    }

    // ---------------------------------------------------------------- results

    /** One answer of the counter page: {@code session=<id> counter=<n> tomcat=<route>}. */
    public record Answer(String tomcat, int counter, String sessionId, boolean newCookie) {

        /** {@code <base>-<node>.<route>}, as memsession names sessions. */
        private static final Pattern SESSION_ID = Pattern.compile("([^-.]+)-([^.]+)\\.(.+)");

        public boolean hasNodeAndRoute() {
            return SESSION_ID.matcher(sessionId).matches();
        }

        public String base() {
            return part(1);
        }

        public String node() {
            return part(2);
        }

        public String route() {
            return part(3);
        }

        /** A part of the id; null if the id is not of memsession's form. */
        private String part(int group) {
            Matcher parts = SESSION_ID.matcher(sessionId);
            return parts.matches() ? parts.group(group) : null;
        }
    }

    /**
     * What the demo saw: every answer in order (those of part 2, non-sticky, from {@code partTwoStart}), and what
     * went wrong (null if nothing did).
     */
    public record Outcome(List<Answer> answers, int partTwoStart, String failure, Duration took) {

        public boolean passed() {
            return failure == null;
        }
    }

    /** An expectation the demo checks did not hold; its message says what happened instead. */
    private static final class ExpectationFailed extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ExpectationFailed(String message) {
            super(message);
        }
    }
}
