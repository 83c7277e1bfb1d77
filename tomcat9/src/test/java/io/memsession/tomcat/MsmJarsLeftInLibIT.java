package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.memsession.testkit.BuildFiles;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.TomcatDistribution;
import io.memsession.testkit.WebClient;

/**
 * An msm user's switch on the released Tomcat 9 distribution: {@code context.xml} as memcached-session-manager's guides
 * wrote it, unchanged. With msm 2.3.2's real jars (Maven Central) still in {@code lib/} beside memsession's, the
 * application does not start and the log names each jar to remove, whichever of the two Manager classes of the same
 * name Tomcat loaded; once they are gone, the same {@code context.xml} runs memsession.
 */
class MsmJarsLeftInLibIT {

    private static MemcachedProcess memcached;
    private static Path work;
    private final List<TomcatDistribution> tomcats = new ArrayList<>();

    @BeforeAll
    static void startMemcached() throws IOException {
        work = Files.createDirectories(BuildFiles.required("memsession.jar").toAbsolutePath().getParent()
                .resolve("it-tomcats-msm"));
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

    private TomcatDistribution install(String name) {
        TomcatDistribution tomcat = TomcatDistribution.unpack(BuildFiles.required("tomcat.distribution"), work,
                name + "-" + System.nanoTime());
        tomcats.add(tomcat);
        tomcat.port(FreePorts.find())
                .jvmRoute("tc1")
                .addLibJar(BuildFiles.required("memsession.jar"))
                .contextXml("<Manager className=\"de.javakaffee.web.msm.MemcachedBackupSessionManager\" "
                        + "memcachedNodes=\"n1:" + memcached.address() + "\" "
                        + "requestUriIgnorePattern=\".*\\.(ico|png|gif|jpg|css|js)$\" "
                        + "sessionBackupAsync=\"false\" sessionBackupTimeout=\"100\"/>")
                .deployRootApp(Map.of("counter.jsp", Page.COUNTER_JSP))
                .javaOpts("-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        return tomcat;
    }

    private static List<Path> msmJars() {
        Path directory = Path.of(System.getProperty("memsession.test.msmJars", ""));
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> jars = files.filter(file -> file.toString().endsWith(".jar")).sorted()
                    .collect(Collectors.toList());
            assertEquals(4, jars.size(), "msm's core, Tomcat 9 and Kryo jars and spymemcached in " + directory);
            return jars;
        } catch (IOException e) {
            throw new IllegalStateException("system property memsession.test.msmJars must name the directory of msm's"
                    + " jars", e);
        }
    }

    @Test
    void msmsJarsLeftInLibStopTheApplicationNamingEachJarToRemove() {
        TomcatDistribution tomcat = install("with-msm-jars");
        msmJars().forEach(tomcat::addLibJar);
        tomcat.start();
        try (WebClient browser = new WebClient()) {
            assertEquals(404, browser.get(tomcat.httpPort(), "/counter.jsp").status(), "the application is not there");
        }
        String console = tomcat.consoleLog();
        assertTrue(console.contains("memcached-session-manager's jars are still next to memsession's"), console);
        for (String jar : List.of("memcached-session-manager-2.3.2.jar", "memcached-session-manager-tc9-2.3.2.jar",
                "msm-kryo-serializer-2.3.2.jar")) {
            assertTrue(console.contains(tomcat.home().resolve("lib").resolve(jar).toString()), jar + " in " + console);
        }
        assertFalse(console.contains("spymemcached-2.12.0.jar,"), "spymemcached does not clash: it is not named");
        assertFalse(console.contains("NoClassDefFoundError") || console.contains("ClassNotFoundException")
                || console.contains("ClassCastException"), console);
    }

    @Test
    void withMsmsJarsGoneTheSameContextXmlRunsMemsession() {
        TomcatDistribution tomcat = install("without-msm-jars");
        tomcat.start();
        try (WebClient browser = new WebClient()) {
            assertEquals(1, Page.of(browser.get(tomcat.httpPort(), "/counter.jsp")).counter());
            Page second = Page.of(browser.get(tomcat.httpPort(), "/counter.jsp"));
            assertEquals(2, second.counter());
            assertTrue(second.id().matches("[0-9A-F]{32}-n1\\.tc1"), second.id());
        }
        assertEquals(List.of(), tomcat.severeLines(), "the console");
        assertTrue(tomcat.consoleLog().contains("memsession stores the sessions of ROOT in memcached"),
                tomcat.consoleLog());
    }
}
