package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.catalina.LifecycleException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.memsession.core.config.MemcachedNode;
import io.memsession.testkit.ConfigEndpointServer;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.SaslDatabase;
import io.memsession.testkit.TestCertificates;
import io.memsession.testkit.WebClient;

/**
 * memcached with SASL ({@code -S}, a password database the test makes) and TLS ({@code -Z}, a certificate authority
 * the test makes): right credentials and a trusted certificate keep sessions across Tomcats; wrong credentials stop
 * the context, a node that is merely down does not, and a certificate nobody trusts leaves its node unused. A
 * configuration endpoint over TLS is trusted as its nodes are.
 */
class MemcachedSecurityTest {

    private static final String USER = "sessions";
    private static final String SASL_PASSWORD = "right-horse-battery";

    private static TestCertificates certificates;
    private static TestCertificates otherAuthority;
    private static SaslDatabase users;
    private static MemcachedProcess sasl;
    private static MemcachedProcess tls;
    private static MemcachedProcess saslOverTls;

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("");

    @BeforeAll
    static void startMemcached() {
        // localhost too: a configuration endpoint lists each node by host name, and TLS verifies that name
        certificates = TestCertificates.create("IP:127.0.0.1", "DNS:localhost");
        otherAuthority = TestCertificates.create("IP:127.0.0.1", "DNS:localhost");
        users = SaslDatabase.create(USER, SASL_PASSWORD);
        sasl = MemcachedProcess.startSecured(null, users);
        tls = MemcachedProcess.startSecured(certificates, null);
        saslOverTls = MemcachedProcess.startSecured(certificates, users);
    }

    @AfterAll
    static void stopMemcached() {
        for (AutoCloseable started : new AutoCloseable[] {saslOverTls, tls, sasl, users, otherAuthority,
                certificates}) {
            if (started != null) {
                try {
                    started.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private static String[] saslAttributes(String password) {
        return new String[] {"memcachedProtocol", "binary", "username", USER, "password", password};
    }

    private static String[] tlsAttributes(TestCertificates trusted) {
        return new String[] {"tls", "true", "tlsTrustStoreFile", trusted.trustStore().toString(),
            "tlsTrustStorePassword", TestCertificates.TRUST_STORE_PASSWORD};
    }

    private static String[] both(String[] first, String[] second) {
        String[] all = new String[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private static String node(MemcachedProcess memcached) {
        return "n1:" + memcached.address();
    }

    /** A session written by tc1 is taken over by tc2: it went to memcached and came back. */
    private void assertSessionSurvivesATakeOver(MemcachedProcess memcached, String... attributes) throws Exception {
        EmbeddedTomcat tc1 = tomcats.start("tc1", node(memcached), attributes);
        EmbeddedTomcat tc2 = tomcats.start("tc2", node(memcached), attributes);
        browser.get(tc1.port(), "/set?a=x");
        Page written = Page.of(browser.get(tc1.port(), "/"));
        assertTrue(written.id().endsWith("-n1.tc1"), written.id());

        Page taken = Page.of(browser.get(tc2.port(), "/"));

        assertTrue(taken.id().endsWith("-n1.tc2"), taken.id());
        assertEquals("x", taken.get("a"));
        assertEquals(2, taken.counter());
        assertEquals(1, tc2.manager().getMsmStatNumTomcatFailover());
    }

    private void assertNoLineContains(String secret) {
        for (String line : log.lines()) {
            assertFalse(line.contains(secret), line);
        }
    }

    @Test
    void saslWithTheRightPassword() throws Exception {
        assertSessionSurvivesATakeOver(sasl, saslAttributes(SASL_PASSWORD));
        assertNoLineContains(SASL_PASSWORD);
    }

    @Test
    void saslWithThePasswordFromPasswordFile(@TempDir Path directory) throws Exception {
        Path file = Files.write(directory.resolve("memcached.password"),
                (SASL_PASSWORD + "\n").getBytes(StandardCharsets.UTF_8));
        assertSessionSurvivesATakeOver(sasl, "memcachedProtocol", "binary", "username", USER,
                "passwordFile", file.toString());
    }

    @Test
    void aWrongPasswordStopsTheContextNamingTheNode() {
        assertThrows(LifecycleException.class,
                () -> tomcats.start("tc1", node(sasl), saslAttributes("wrong-horse-battery")));
        List<String> reports = log.warningsContaining("memcached node " + node(sasl), "refused the SASL credentials");
        assertFalse(reports.isEmpty(), log.warnings().toString());
        assertNoLineContains("wrong-horse-battery");
    }

    @Test
    void aNodeThatIsDownDoesNotStopTheContext() throws Exception {
        String down = "n1:127.0.0.1:" + FreePorts.find();
        EmbeddedTomcat tc1 = tomcats.start("tc1", down, saslAttributes(SASL_PASSWORD));

        WebClient.Response response = browser.get(tc1.port(), "/");

        assertEquals(200, response.status());
        assertFalse(log.warningsContaining("memcached node " + down, "is not reachable").isEmpty(),
                log.warnings().toString());
    }

    @Test
    void tlsWithTheTestAuthority() throws Exception {
        assertSessionSurvivesATakeOver(tls, tlsAttributes(certificates));
    }

    @Test
    void saslOverTls() throws Exception {
        assertSessionSurvivesATakeOver(saslOverTls, both(tlsAttributes(certificates), saslAttributes(SASL_PASSWORD)));
    }

    @Test
    void aCertificateOfAnotherAuthorityLeavesTheNodeUnused() throws Exception {
        EmbeddedTomcat tc1 = tomcats.start("tc1", node(tls), tlsAttributes(otherAuthority));

        Page page = Page.of(browser.get(tc1.port(), "/"));

        assertEquals(200, page.response().status());
        assertFalse(tc1.manager().engine().canLoad(page.id()), "the node is not used");
        List<String> reports = log.warningsContaining("memcached node " + node(tls), "TLS certificate is refused");
        assertEquals(1, reports.size(), log.warnings().toString());
    }

    @Test
    void aConfigurationEndpointOverTlsListsNodesThatAreReachedOverTlsToo() throws Exception {
        try (ConfigEndpointServer endpoint = ConfigEndpointServer.startTls(certificates, tls)) {
            EmbeddedTomcat tc1 = tomcats.start("tc1", endpoint.memcachedNodes(), tlsAttributes(certificates));
            EmbeddedTomcat tc2 = tomcats.start("tc2", endpoint.memcachedNodes(), tlsAttributes(certificates));
            browser.get(tc1.port(), "/set?a=x");
            String listed = MemcachedNode.discovered("localhost", "127.0.0.1", tls.port()).id();
            assertTrue(Page.of(browser.get(tc1.port(), "/")).id().endsWith("-" + listed + ".tc1"));

            Page taken = Page.of(browser.get(tc2.port(), "/"));

            assertEquals("x", taken.get("a"), "stored on the listed node, over TLS, and read back from there");
            assertEquals(2, taken.counter());
            assertTrue(endpoint.questions() >= 2, "each Tomcat asked the endpoint");
            assertEquals(List.of(), log.warningsContaining("configuration endpoint"), log.warnings().toString());
        }
    }

    /** An impostor's endpoint, not certified by the trusted authority, is never asked: it cannot steer sessions. */
    @Test
    void aConfigurationEndpointWithACertificateOfAnotherAuthorityIsNeverAsked() throws Exception {
        try (ConfigEndpointServer impostor = ConfigEndpointServer.startTls(otherAuthority, tls)) {
            EmbeddedTomcat tc1 = tomcats.start("tc1", impostor.memcachedNodes(), tlsAttributes(certificates));

            Page page = Page.of(browser.get(tc1.port(), "/set?a=x"));

            assertEquals(200, page.response().status());
            assertEquals(0, impostor.questions(), "the question is never sent");
            assertEquals(List.of(), tc1.manager().nodes(), "no node taken from it");
            List<String> reports = log.warningsContaining("configuration endpoint " + impostor.memcachedNodes(),
                    "cannot be read (the TLS handshake failed");
            assertEquals(1, reports.size(), log.warnings().toString());
        }
    }

    @Test
    void aWrongTrustStorePasswordStopsTheContextNamingTheAttribute() {
        assertThrows(LifecycleException.class, () -> tomcats.start("tc1", node(tls), "tls", "true",
                "tlsTrustStoreFile", certificates.trustStore().toString(), "tlsTrustStorePassword", "not-it"));
        assertFalse(log.warningsContaining("tlsTrustStorePassword").isEmpty(), log.warnings().toString());
        assertNoLineContains("not-it");
    }

    @Test
    void aMissingTrustStoreStopsTheContextNamingAttributeAndFile(@TempDir Path directory) {
        String missing = directory.resolve("missing.p12").toString();
        assertThrows(LifecycleException.class, () -> tomcats.start("tc1", node(tls), "tls", "true",
                "tlsTrustStoreFile", missing));
        assertFalse(log.warningsContaining("tlsTrustStoreFile=\"" + missing + "\"").isEmpty(),
                log.warnings().toString());
    }
}
