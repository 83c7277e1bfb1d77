package io.memsession.core;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.memsession.core.config.Configuration;
import io.memsession.core.config.ConfigurationBuilder;
import io.memsession.core.config.ConfigurationException;
import io.memsession.testkit.FreePorts;
import io.memsession.testkit.MemcachedProcess;
import io.memsession.testkit.SaslDatabase;
import io.memsession.testkit.TestCertificates;

/**
 * The store over TLS ({@code memcached -Z}) and SASL ({@code memcached -S}), against real memcached processes with a
 * certificate authority and a password database the test makes.
 */
class MemcachedStoreSecurityTest {

    private static final String USER = "sessions";
    private static final String PASSWORD = "right-horse-battery";
    private static final byte[] VALUE = "a session".getBytes(StandardCharsets.UTF_8);

    private final Logger storeLog = Logger.getLogger(MemcachedStore.class.getName());
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    MemcachedStoreSecurityTest() {
        storeLog.addHandler(recorder);
    }

    @AfterEach
    void stopRecording() {
        storeLog.removeHandler(recorder);
    }

    private static ConfigurationBuilder node(String host, int port) {
        return new ConfigurationBuilder().set("memcachedNodes", "n1:" + host + ":" + port);
    }

    private static ConfigurationBuilder tls(ConfigurationBuilder builder, TestCertificates trusted) {
        return builder.set("tls", "true")
                .set("tlsTrustStoreFile", trusted.trustStore().toString())
                .set("tlsTrustStorePassword", TestCertificates.TRUST_STORE_PASSWORD);
    }

    private static ConfigurationBuilder sasl(ConfigurationBuilder builder, String password) {
        return builder.set("memcachedProtocol", "binary").set("username", USER).set("password", password);
    }

    private List<String> severe() {
        return logged.stream().filter(record -> record.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogRecord::getMessage).collect(Collectors.toList());
    }

    private static void assertStoresAndReads(MemcachedStore store) throws StoreException {
        assertTrue(store.isAvailable("n1"));
        assertTrue(store.startSet("n1", "k", 60, VALUE).await(1000));
        assertArrayEquals(VALUE, store.get("n1", "k"));
    }

    @Test
    void tlsWithTheTrustedAuthority() throws Exception {
        try (TestCertificates certificates = TestCertificates.create("IP:127.0.0.1");
             MemcachedProcess memcached = MemcachedProcess.startSecured(certificates, null)) {
            try (MemcachedStore store = MemcachedStore.connect(tls(node("127.0.0.1", memcached.port()),
                    certificates).build())) {
                assertStoresAndReads(store);
            }
            // the same node without TLS gets nowhere: memcached -Z speaks TLS only
            try (MemcachedStore plain = MemcachedStore.connect(node("127.0.0.1", memcached.port()).build())) {
                assertThrows(StoreException.class, () -> plain.startSet("n1", "k", 60, VALUE).await(1000));
            }
        }
    }

    @Test
    void aCertificateOfAnotherAuthorityIsRefused() throws Exception {
        try (TestCertificates certificates = TestCertificates.create("IP:127.0.0.1");
             TestCertificates other = TestCertificates.create("IP:127.0.0.1");
             MemcachedProcess memcached = MemcachedProcess.startSecured(certificates, null);
             MemcachedStore store = MemcachedStore.connect(tls(node("127.0.0.1", memcached.port()), other)
                     .build())) {
            assertFalse(store.isAvailable("n1"));
            assertThrows(StoreException.class, () -> store.get("n1", "k"));
            List<String> refusals = severe();
            assertEquals(1, refusals.size(), logged.toString());
            assertTrue(refusals.get(0).contains("memcached node n1") && refusals.get(0).contains("TLS certificate"),
                    refusals.get(0));
        }
    }

    @Test
    void aCertificateForAnotherHostNameIsRefused() throws Exception {
        try (TestCertificates localhostOnly = TestCertificates.create("DNS:localhost");
             MemcachedProcess memcached = MemcachedProcess.startSecured(localhostOnly, null);
             MemcachedStore store = MemcachedStore.connect(tls(node("127.0.0.1", memcached.port()), localhostOnly)
                     .build())) {
            assertFalse(store.isAvailable("n1"));
            List<String> refusals = severe();
            assertEquals(1, refusals.size(), logged.toString());
            assertTrue(refusals.get(0).contains("127.0.0.1"), refusals.get(0));
        }
    }

    @Test
    void saslWithTheRightPassword() throws Exception {
        try (SaslDatabase users = SaslDatabase.create(USER, PASSWORD);
             MemcachedProcess memcached = MemcachedProcess.startSecured(null, users);
             MemcachedStore store = MemcachedStore.connect(sasl(node("127.0.0.1", memcached.port()), PASSWORD)
                     .build())) {
            assertStoresAndReads(store);
        }
    }

    @Test
    void aWrongPasswordStopsTheStartNamingTheNodeNotThePassword() throws Exception {
        try (SaslDatabase users = SaslDatabase.create(USER, PASSWORD);
             MemcachedProcess memcached = MemcachedProcess.startSecured(null, users)) {
            Configuration config = sasl(node("127.0.0.1", memcached.port()), "wrong-horse-battery").build();
            ConfigurationException refused = assertThrows(ConfigurationException.class,
                    () -> MemcachedStore.connect(config).close());
            assertTrue(refused.getMessage().contains("memcached node n1:127.0.0.1:" + memcached.port())
                    && refused.getMessage().contains("SASL"), refused.getMessage());
            assertFalse(refused.getMessage().contains("wrong-horse-battery"), refused.getMessage());
        }
    }

    @Test
    void aNodeThatIsDownIsNoCredentialsProblemAndIsUsedOnceItIsUp() throws Exception {
        int port = FreePorts.find();
        Configuration config = sasl(node("127.0.0.1", port), PASSWORD).build();
        try (MemcachedStore store = MemcachedStore.connect(config)) {
            assertFalse(store.isAvailable("n1"));
            try (SaslDatabase users = SaslDatabase.create(USER, PASSWORD);
                 MemcachedProcess memcached = MemcachedProcess.startSecured(port, null, users)) {
                // the client reconnects within a second and authenticates
                await().atMost(10, SECONDS).ignoreExceptionsInstanceOf(StoreException.class)
                        .until(() -> store.startSet("n1", "k", 60, VALUE).await(1000));
                assertArrayEquals(VALUE, store.get("n1", "k"));
            }
        }
    }

    @Test
    void aNodeThatComesUpLaterAndRefusesTheCredentialsIsLoggedOnce() throws Exception {
        int port = FreePorts.find();
        Configuration config = sasl(node("127.0.0.1", port), "wrong-horse-battery").build();
        try (MemcachedStore store = MemcachedStore.connect(config);
             SaslDatabase users = SaslDatabase.create(USER, PASSWORD);
             MemcachedProcess memcached = MemcachedProcess.startSecured(port, null, users)) {
            await().atMost(10, SECONDS).until(() -> !severe().isEmpty());
            // the client asks again and again; the log says it once
            await().during(1, SECONDS).atMost(2, SECONDS).until(() -> severe().size() == 1);
            assertTrue(severe().get(0).contains("memcached node n1:127.0.0.1:" + port + " refused the SASL "
                    + "credentials"), severe().get(0));
            assertFalse(severe().get(0).contains("wrong-horse-battery"), severe().get(0));
            assertThrows(StoreException.class, () -> store.startSet("n1", "k", 60, VALUE).await(1000));
        }
    }

    @Test
    void saslOverTls() throws Exception {
        try (TestCertificates certificates = TestCertificates.create("IP:127.0.0.1");
             SaslDatabase users = SaslDatabase.create(USER, PASSWORD);
             MemcachedProcess memcached = MemcachedProcess.startSecured(certificates, users)) {
            try (MemcachedStore store = MemcachedStore.connect(sasl(tls(node("127.0.0.1", memcached.port()),
                    certificates), PASSWORD).build())) {
                assertStoresAndReads(store);
            }
            assertThrows(ConfigurationException.class, () -> MemcachedStore.connect(sasl(tls(node("127.0.0.1",
                    memcached.port()), certificates), "wrong").build()).close());
        }
    }
}
