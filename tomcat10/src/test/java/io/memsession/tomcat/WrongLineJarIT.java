package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.memsession.testkit.FreePorts;
import io.memsession.testkit.TomcatDistribution;
import io.memsession.testkit.WebClient;

/**
 * The mistake the five jars invite: the Tomcat 9 jar installed in a Tomcat 10.1. The context does not start, and the
 * log says which jar to install instead, rather than a bare {@code NoClassDefFoundError: javax/servlet/...}.
 */
class WrongLineJarIT {

    @Test
    void aJarOfAnotherLineStopsTheContextAndNamesTheRightJar() throws IOException {
        Path wrongJar = Path.of(System.getProperty("wrong-line.jar"));
        assertTrue(Files.isRegularFile(wrongJar), "system property wrong-line.jar: " + wrongJar + "; run mvn verify");
        Path work = Files.createTempDirectory(
                Path.of(System.getProperty("memsession.jar")).toAbsolutePath().getParent(), "it-wrong-line");
        try (TomcatDistribution tomcat = TomcatDistribution.unpack(Path.of(System.getProperty("tomcat.distribution")),
                work, "wrong-line")) {
            tomcat.port(FreePorts.find())
                    .addLibJar(wrongJar)
                    // no memcached is needed: the check comes before any connection
                    .contextXml("<Manager className=\"io.memsession.tomcat.MemcachedSessionManager\" "
                            + "memcachedNodes=\"n1:127.0.0.1:" + FreePorts.find() + "\"/>")
                    .deployRootApp(Map.of("index.jsp", "hello"));
            tomcat.start();

            try (WebClient browser = new WebClient()) {
                assertEquals(404, browser.get(tomcat.httpPort(), "/index.jsp").status(),
                        "the application does not start with the wrong memsession jar");
            }
            assertTrue(tomcat.consoleLog().contains("memsession-tomcat9 is built for Tomcat 9, but this is "
                    + "Apache Tomcat/10.1"), tomcat.consoleLog());
            assertTrue(tomcat.consoleLog().contains("install the memsession jar of this line, "
                    + "memsession-tomcat10-<version>.jar"), tomcat.consoleLog());
        }
    }
}
