package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.memsession.testkit.BuildFiles;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.TomcatDistribution;
import io.memsession.testkit.WebClient;

/**
 * The configuration memcached-session-manager's users were told to use, which fails there on Java 17: the Kryo
 * serializer with the Joda registration, {@code copyCollectionsForSerialization="false"}. On the released Tomcat 9
 * distribution with memsession's jar, the Kryo jar and joda-time's jar in {@code lib/}, a session holding a Joda
 * {@code DateTime} carries on on {@code tc2} after {@code tc1} crashes (SIGKILL), on JDK 17 and on JDK 25.
 */
class KryoDistributionInstallIT {

    private static final String SESSION_JSP = "<%@ page contentType=\"text/plain;charset=UTF-8\" "
            + "trimDirectiveWhitespaces=\"true\" import=\"org.joda.time.*,java.util.*\" %><%\n"
            + "    if (session.getAttribute(\"since\") == null) {\n"
            + "        session.setAttribute(\"since\", new DateTime(2026, 11, 21, 13, 14, 15, 16, "
            + "DateTimeZone.forID(\"Europe/Berlin\")));\n"
            + "        session.setAttribute(\"visits\", new ArrayList<LocalDate>());\n"
            + "    }\n"
            + "    List<LocalDate> visits = (List<LocalDate>) session.getAttribute(\"visits\");\n"
            + "    visits.add(new LocalDate(2026, 1, visits.size() + 1));\n"
            + "    session.setAttribute(\"visits\", visits);\n"
            + "%>id=<%= session.getId() %>\n"
            + "counter=<%= visits.size() %>\n"
            + "since=<%= session.getAttribute(\"since\") %>\n"
            + "zone=<%= ((DateTime) session.getAttribute(\"since\")).getZone() %>\n"
            + "last=<%= visits.get(visits.size() - 1) %>\n";

    private static MemcachedProcess memcached;
    private static Path work;
    private final List<TomcatDistribution> tomcats = new ArrayList<>();

    @BeforeAll
    static void startMemcached() throws IOException {
        work = Files.createDirectories(BuildFiles.required("memsession.jar").toAbsolutePath().getParent()
                .resolve("it-tomcats-kryo"));
        memcached = MemcachedProcess.start();
    }

    @AfterAll
    static void stopMemcached() {
        if (memcached != null) {
            memcached.close();
        }
    }

    @AfterEach
    void stopTomcats() {
        tomcats.forEach(TomcatDistribution::close);
    }

    private TomcatDistribution install(String name, String jvmRoute) {
        TomcatDistribution tomcat = TomcatDistribution.unpack(BuildFiles.required("tomcat.distribution"), work,
                name + "-" + System.nanoTime());
        tomcats.add(tomcat);
        tomcat.port(FreePorts.find())
                .jvmRoute(jvmRoute)
                .addLibJar(BuildFiles.required("memsession.jar"))
                .addLibJar(BuildFiles.required("memsession.kryo.jar"))
                .addLibJar(BuildFiles.required("joda-time.jar"))
                .contextXml("<Manager className=\"io.memsession.tomcat.MemcachedSessionManager\" "
                        + "memcachedNodes=\"n1:" + memcached.address() + "\" sessionBackupAsync=\"false\" "
                        + "transcoderFactoryClass=\"io.memsession.serializer.kryo.KryoTranscoderFactory\" "
                        + "copyCollectionsForSerialization=\"false\" "
                        + "customConverter=\"io.memsession.serializer.kryo.JodaDateTimeRegistration\"/>")
                .deployRootApp(Map.of("session.jsp", SESSION_JSP))
                .javaOpts("-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        return tomcat;
    }


    private static Path javaHome(String jdk) {
        Path home = Path.of(jdk.equals("17") ? System.getProperty("java.home") : System.getProperty("jdk25.home"));
        if (!Files.isExecutable(home.resolve("bin/java"))) {
            throw new IllegalStateException("no JDK " + jdk + " at " + home + " (system property jdk25.home)");
        }
        return home;
    }

    @ParameterizedTest(name = "JDK {0}")
    @ValueSource(strings = {"17", "25"})
    void jodaDateTimeSessionSurvivesATomcatCrash(String jdk) {
        TomcatDistribution tc1 = install("tc1-jdk" + jdk, "tc1");
        TomcatDistribution tc2 = install("tc2-jdk" + jdk, "tc2");
        tc1.start(javaHome(jdk));
        tc2.start(javaHome(jdk));
        try (WebClient browser = new WebClient()) {
            Page first = Page.of(browser.get(tc1.httpPort(), "/session.jsp"));
            assertEquals(1, first.counter());
            Page second = Page.of(browser.get(tc1.httpPort(), "/session.jsp"));
            assertEquals(2, second.counter());
            assertTrue(second.id().matches("[0-9A-F]{32}-n1\\.tc1"), second.id());

            tc1.kill9();
            Page onTc2 = Page.of(browser.get(tc2.httpPort(), "/session.jsp"));

            assertEquals(second.id().replace(".tc1", ".tc2"), onTc2.id());
            assertEquals(3, onTc2.counter());
            assertEquals("2026-11-21T13:14:15.016+01:00", onTc2.get("since"));
            assertEquals("Europe/Berlin", onTc2.get("zone"));
            assertEquals("2026-01-03", onTc2.get("last"));
        }
        assertTrue(tc2.consoleLog().contains("Java Home:"), "tc2's console");
        assertEquals(List.of(), tc1.severeLines(), "tc1's console");
        assertEquals(List.of(), tc2.severeLines(), "tc2's console");
        assertEquals(List.of(), warningsOf(tc2), "tc2's console");
    }

    private static List<String> warningsOf(TomcatDistribution tomcat) {
        List<String> warnings = new ArrayList<>();
        // but the start-up warning about what memcached's writers can do, since this installation has no allow-list
        tomcat.consoleLog().lines().filter(line -> line.contains("WARNING") && line.contains("memsession")
                && !line.contains("anyone who can write to memcached")).forEach(warnings::add);
        return warnings;
    }
}
