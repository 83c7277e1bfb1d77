package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.SaslDatabase;
import io.memsession.testkit.TomcatDistribution;
import io.memsession.testkit.WebClient;

/**
 * The way operators install memsession: the released Tomcat distribution of the line under test (the module's
 * {@code tomcat.distribution.version}), that line's one jar in {@code lib/}, the
 * {@code <Manager>} in {@code conf/context.xml}, and a plain JSP application. A session created on {@code tc1}
 * carries on on {@code tc2} after {@code tc1} crashes (SIGKILL), in sticky and in non-sticky mode.
 */
class DistributionInstallIT {

    private static MemcachedProcess memcached;
    private static Path work;
    private static final List<TomcatDistribution> TOMCATS = new ArrayList<>();

    @BeforeAll
    static void startMemcached() throws IOException {
        // beside the jar, in the module's target directory
        work = Path.of(requiredProperty("memsession.jar")).toAbsolutePath().getParent().resolve("it-tomcats");
        deleteRecursively(work); // left by an earlier run
        memcached = MemcachedProcess.start();
    }

    @AfterAll
    static void stopEverything() {
        TOMCATS.forEach(TomcatDistribution::close);
        if (memcached != null) {
            memcached.close();
        }
    }

    private static final String JAVA_OPTS = "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1";

    private static TomcatDistribution install(String jvmRoute, String managerAttributes) {
        return install(jvmRoute, memcached, managerAttributes);
    }

    private static TomcatDistribution install(String jvmRoute, MemcachedProcess node, String managerAttributes) {
        TomcatDistribution tomcat = TomcatDistribution.unpack(Path.of(requiredProperty("tomcat.distribution")),
                work, jvmRoute);
        TOMCATS.add(tomcat);
        tomcat.port(FreePorts.find())
                .jvmRoute(jvmRoute)
                .addLibJar(Path.of(requiredProperty("memsession.jar")))
                .contextXml("<Manager className=\"io.memsession.tomcat.MemcachedSessionManager\" "
                        + "memcachedNodes=\"n1:" + node.address() + "\" " + managerAttributes + "/>")
                .deployRootApp(Map.of("counter.jsp", Page.COUNTER_JSP))
                .javaOpts(JAVA_OPTS);
        return tomcat;
    }

    /** Set by the failsafe configuration in the pom; run this test with {@code mvn verify}. */
    private static String requiredProperty(String name) {
        String value = System.getProperty(name);
        if (value == null || !Files.isRegularFile(Path.of(value))) {
            throw new IllegalStateException("system property " + name + " must name an existing file, but is "
                    + value + "; run with mvn verify");
        }
        return value;
    }

    @Test
    void sessionCarriesOnOnTheOtherTomcatAfterACrash() {
        TomcatDistribution tc1 = install("tc1", "sessionBackupAsync=\"false\"");
        TomcatDistribution tc2 = install("tc2", "sessionBackupAsync=\"false\"");
        tc1.start();
        tc2.start();
        try (WebClient browser = new WebClient()) {
            assertEquals(1, Page.of(browser.get(tc1.httpPort(), "/counter.jsp")).counter());
            Page second = Page.of(browser.get(tc1.httpPort(), "/counter.jsp"));
            assertEquals(2, second.counter());
            assertTrue(second.id().matches("[0-9A-F]{32}-n1\\.tc1"), second.id());

            tc1.kill9();
            Page onTc2 = Page.of(browser.get(tc2.httpPort(), "/counter.jsp"));

            assertEquals(3, onTc2.counter());
            assertEquals(second.id().replace(".tc1", ".tc2"), onTc2.id());
            assertEquals(onTc2.id(), onTc2.response().setCookieValue("JSESSIONID"));
        }
        assertEquals(List.of(), tc1.severeLines(), "tc1's console");
        assertEquals(List.of(), tc2.severeLines(), "tc2's console");
    }

    @Test
    void nonStickySessionMovesFreelyAndSurvivesACrash() {
        TomcatDistribution ns1 = install("ns1", "sticky=\"false\" lockingMode=\"auto\"");
        TomcatDistribution ns2 = install("ns2", "sticky=\"false\" lockingMode=\"auto\"");
        ns1.start();
        ns2.start();
        try (WebClient browser = new WebClient()) {
            Page first = Page.of(browser.get(ns1.httpPort(), "/counter.jsp"));
            assertEquals(1, first.counter());
            assertEquals(2, Page.of(browser.get(ns2.httpPort(), "/counter.jsp")).counter());
            assertEquals(3, Page.of(browser.get(ns1.httpPort(), "/counter.jsp")).counter());

            ns1.kill9();
            Page onNs2 = Page.of(browser.get(ns2.httpPort(), "/counter.jsp"));
            assertEquals(4, onNs2.counter());
            assertEquals(first.id(), onNs2.id(), "a non-sticky session keeps its id on every Tomcat");
        }
        assertEquals(List.of(), ns1.severeLines(), "ns1's console");
        assertEquals(List.of(), ns2.severeLines(), "ns2's console");
    }

    /**
     * Tomcat replaces {@code ${...}} in context.xml: the SASL user from a system property, the password from an
     * environment variable through Tomcat's EnvironmentPropertySource. Unreplaced, memcached would refuse the
     * literal text and the context would not start.
     */
    @Test
    void saslCredentialsFromASystemPropertyAndAnEnvironmentVariable() {
        String password = "from-the-environment";
        try (SaslDatabase users = SaslDatabase.create("sessions", password);
             MemcachedProcess secured = MemcachedProcess.startSecured(null, users)) {
            TomcatDistribution tomcat = install("sasl", secured, "sessionBackupAsync=\"false\" "
                    + "memcachedProtocol=\"binary\" username=\"${memcached.user}\" password=\"${MEMCACHED_PASSWORD}\"")
                    .javaOpts(JAVA_OPTS + " -Dmemcached.user=sessions -Dorg.apache.tomcat.util.digester.PROPERTY_SOURCE="
                            + "org.apache.tomcat.util.digester.EnvironmentPropertySource")
                    .environment("MEMCACHED_PASSWORD", password);
            try {
                tomcat.start();
                try (WebClient browser = new WebClient()) {
                    assertEquals(1, Page.of(browser.get(tomcat.httpPort(), "/counter.jsp")).counter());
                    assertEquals(2, Page.of(browser.get(tomcat.httpPort(), "/counter.jsp")).counter());
                }
                assertEquals(List.of(), tomcat.severeLines(), "the console");
                assertTrue(tomcat.consoleLog().contains("username=sessions, password=***"), tomcat.consoleLog());
                assertFalse(tomcat.consoleLog().contains(password), "the password is in no line of the console");
            } finally {
                tomcat.close();
            }
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            tree.sorted(Comparator.reverseOrder()).forEach(entry -> {
                try {
                    Files.delete(entry);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
