package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.memsession.testkit.BuildFiles;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.TomcatDistribution;
import io.memsession.testkit.WebClient;

/**
 * The Prometheus JMX exporter rules of {@code docs/prometheus-jmx-exporter.yaml}, as an operator installs them: the
 * exporter's Java agent on the released Tomcat 9 distribution, scraped over HTTP. Every rule must find the real
 * Manager MBean (a rule that matches nothing would be a panel that stays empty), and the numbers must move as a
 * user would see them: requests with a session, the sessions in memory, and writes that fail when memcached dies.
 */
class PrometheusJmxExporterIT {

    private static final String NO_SESSION_JSP = "<%@ page session=\"false\" contentType=\"text/plain\" %>ok\n";
    /** A rule's name, type and labels, as the rules file writes them. */
    private static final Pattern RULE = Pattern.compile(
            "^\\s+name: (memsession_\\w+)\\n\\s+type: (\\w+)\\n\\s+help: .*\\n\\s+labels: \\{(.*)}$", Pattern.MULTILINE);
    /** A label a rule sets to a constant (host and context take the MBean's). */
    private static final Pattern EXTRA_LABEL = Pattern.compile("(\\w+): \"([^$\"][^\"]*)\"");

    @Test
    void everyRuleFindsTheManagerMBeanAndItsNumbersMoveWithTheTraffic() throws IOException {
        Path rules = BuildFiles.required("memsession.test.jmxExporterRules");
        Path work = Files.createDirectories(BuildFiles.required("memsession.jar").toAbsolutePath().getParent()
                .resolve("it-tomcats-jmx-exporter"));
        int metricsPort = FreePorts.find();
        try (MemcachedProcess memcached = MemcachedProcess.start();
             TomcatDistribution tomcat = TomcatDistribution.unpack(BuildFiles.required("tomcat.distribution"), work,
                     "jmx-exporter-" + System.nanoTime());
             WebClient browser = new WebClient();
             WebClient visitor = new WebClient();
             WebClient scraper = new WebClient()) {
            tomcat.port(FreePorts.find())
                    .jvmRoute("tc1")
                    .addLibJar(BuildFiles.required("memsession.jar"))
                    .contextXml("<Manager className=\"io.memsession.tomcat.MemcachedSessionManager\" "
                            + "memcachedNodes=\"n1:" + memcached.address() + "\" sessionBackupAsync=\"false\"/>")
                    .deployRootApp(Map.of("counter.jsp", Page.COUNTER_JSP, "nosession.jsp", NO_SESSION_JSP))
                    .javaOpts("-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -javaagent:"
                            + BuildFiles.required("memsession.test.jmxExporterAgent") + "=127.0.0.1:" + metricsPort
                            + ":" + rules);
            tomcat.start();

            Map<String, Double> before = scrape(scraper, metricsPort);
            List<String> missing = new ArrayList<>();
            for (String series : seriesOfTheRules(rules)) {
                if (!before.containsKey(series)) {
                    missing.add(series);
                }
            }
            assertEquals(List.of(), missing, "rules that match nothing on the real MBean; the scrape:\n" + before);

            for (int i = 1; i <= 3; i++) {
                assertEquals(i, Page.of(browser.get(tomcat.httpPort(), "/counter.jsp")).counter());
            }
            assertEquals(200, visitor.get(tomcat.httpPort(), "/nosession.jsp").status());
            Map<String, Double> afterRequests = scrape(scraper, metricsPort);
            assertEquals(3, increase(before, afterRequests, series("memsession_requests_total", "session", "with")));
            assertEquals(1, increase(before, afterRequests,
                    series("memsession_requests_total", "session", "without")));
            assertEquals(1, afterRequests.get(series("memsession_active_sessions")));
            assertEquals(1, increase(before, afterRequests, series("memsession_session_creations_total")));
            String backupFailures = series("memsession_backups_total", "result", "failed");
            assertEquals(0, afterRequests.get(backupFailures));

            memcached.kill();
            assertEquals(4, Page.of(browser.get(tomcat.httpPort(), "/counter.jsp")).counter(),
                    "sticky: the session goes on in this Tomcat");
            Map<String, Double> afterKill = scrape(scraper, metricsPort);
            assertEquals(1, increase(afterRequests, afterKill, backupFailures),
                    "the write the dead node could not take");
            assertEquals(List.of(), tomcat.severeLines(), "the console");
        }
    }

    /**
     * The series each rule of the file makes for the ROOT application, as the exporter writes them: labels in
     * alphabetical order, {@code _total} after a counter's name.
     */
    private static List<String> seriesOfTheRules(Path rules) throws IOException {
        List<String> series = new ArrayList<>();
        Matcher matcher = RULE.matcher(Files.readString(rules));
        while (matcher.find()) {
            String name = matcher.group(1) + ("COUNTER".equals(matcher.group(2)) ? "_total" : "");
            List<String> labels = new ArrayList<>();
            Matcher label = EXTRA_LABEL.matcher(matcher.group(3));
            while (label.find()) {
                labels.add(label.group(1));
                labels.add(label.group(2));
            }
            series.add(series(name, labels.toArray(new String[0])));
        }
        assertTrue(series.size() >= 20, "the rules file names its series: " + series);
        return series;
    }

    /** A series of the ROOT application: {@code labels} are the others as name, value, name, value... */
    private static String series(String name, String... labels) {
        TreeMap<String, String> sorted = new TreeMap<>(Map.of("context", "/", "host", "localhost"));
        for (int i = 0; i < labels.length; i += 2) {
            sorted.put(labels[i], labels[i + 1]);
        }
        StringJoiner joined = new StringJoiner(",", name + "{", "}");
        sorted.forEach((label, value) -> joined.add(label + "=\"" + value + "\""));
        return joined.toString();
    }

    private static double increase(Map<String, Double> before, Map<String, Double> after, String series) {
        return after.get(series) - before.get(series);
    }

    /** Prometheus' text format: {@code name{labels} value}, comments skipped; by name with labels. */
    private static Map<String, Double> scrape(WebClient scraper, int port) {
        WebClient.Response response = scraper.get(port, "/metrics");
        assertEquals(200, response.status(), response.body());
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.startsWith("memsession_")) {
                int space = line.lastIndexOf(' ');
                samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return samples;
    }
}
