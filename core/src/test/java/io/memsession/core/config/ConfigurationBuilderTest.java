package io.memsession.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.memsession.testkit.TestCertificates;

import io.memsession.core.SessionEngine;

class ConfigurationBuilderTest {

    private static ConfigurationBuilder nodes(String memcachedNodes) {
        return new ConfigurationBuilder().set("memcachedNodes", memcachedNodes);
    }

    private static ConfigurationException refused(ConfigurationBuilder builder) {
        return assertThrows(ConfigurationException.class, builder::build);
    }

    @Test
    void defaultsAreMsmDefaults() {
        Configuration config = nodes("n1:localhost:11211").build();
        assertTrue(config.enabled());
        assertTrue(config.sticky());
        assertTrue(config.sessionBackupAsync());
        assertEquals(100, config.sessionBackupTimeoutMillis());
        assertEquals(1000, config.operationTimeoutMillis());
        assertEquals(Runtime.getRuntime().availableProcessors(), config.backupThreadCount());
        assertEquals("io.memsession.serializer.java.JavaTranscoderFactory", config.transcoderFactoryClass());
        assertEquals(Configuration.Protocol.TEXT, config.protocol());
        assertNull(config.requestUriIgnorePattern());
        assertTrue(config.storesAttribute("anything"));
        assertEquals("none", config.lockingMode().toString());
        assertEquals(5, config.lockExpirationSeconds());
        assertEquals(2000, config.lockTimeoutMillis());
        assertTrue(config.backupCopyBeforeResponse());
    }

    @Test
    void nodeListsWithCommasOrSpaces() {
        MemcachedNodes nodes = nodes("n1:mc1:11211, n2:mc2:11212  n3:10.0.0.3:11213").build().nodes();
        assertEquals(Arrays.asList("n1", "n2", "n3"), nodes.primaryIds());
        assertEquals("mc2:11212", nodes.node("n2").address());
        assertTrue(nodes.encodesNodeIds());
    }

    @Test
    void singleHostPortHasNoNodeIds() {
        MemcachedNodes nodes = nodes("localhost:11211").build().nodes();
        assertFalse(nodes.encodesNodeIds());
        assertEquals(1, nodes.all().size());
        assertTrue(nodes.primaryIds().isEmpty());
    }

    @Test
    void failoverNodesAreUsedOnlyAsLastResort() {
        MemcachedNodes nodes = nodes("n1:a:1,n2:b:2,n3:c:3").set("failoverNodes", "n1 n3").build().nodes();
        assertEquals(Arrays.asList("n2"), nodes.primaryIds());
        assertEquals(Arrays.asList("n1", "n3"), nodes.failoverIds());
    }

    @Test
    void aConfigurationEndpointStartsWithNoNodeAndKeepsThoseItNoLongerListsAsGone() {
        MemcachedNodes empty = nodes("config:cfg.example.com:11211").build().nodes();
        assertEquals("cfg.example.com:11211", empty.configurationEndpoint().address());
        assertTrue(empty.encodesNodeIds());
        assertTrue(empty.mayMoveSessions(), "nodes may join later");
        assertTrue(empty.all().isEmpty());

        MemcachedNode a = MemcachedNode.discovered("a", "10.0.0.1", 11211);
        MemcachedNode b = MemcachedNode.discovered("b", "10.0.0.2", 11211);
        MemcachedNode c = MemcachedNode.discovered("c", "10.0.0.3", 11211);
        MemcachedNodes two = empty.listed(Arrays.asList(b, a));
        List<String> sorted = Stream.of(a, b).map(MemcachedNode::id).sorted().collect(Collectors.toList());
        assertEquals(sorted, two.primaryIds(), "in the order of their ids, whatever the endpoint's order");
        assertEquals(sorted, two.ids());

        MemcachedNodes next = two.listed(Arrays.asList(c, b));
        assertFalse(next.primaryIds().contains(a.id()), "a left: no new session goes there");
        assertTrue(next.contains(a.id()), "but its sessions' ids still name a known node");
        assertEquals(3, next.ids().size());
        assertEquals(2, next.present().size());
        assertTrue(next.listed(Arrays.asList(a)).primaryIds().contains(a.id()), "and it may come back");

        assertEquals("failoverNodes", refused(nodes("config:cfg:11211").set("failoverNodes", "n1")).attribute());
        assertEquals("memcachedNodes", refused(nodes("config:cfg:0")).attribute());
        assertEquals(Arrays.asList("config", "n2"), nodes("config:a:1,n2:b:2").build().nodes().primaryIds(),
                "in a list, config is a node id as before");
        assertEquals("configEndpointPollInterval", refused(nodes("config:cfg:11211")
                .set("configEndpointPollInterval", "10")).attribute());
        assertEquals(60000, nodes("config:cfg:11211").build().configEndpointPollIntervalMillis());
    }

    @Test
    void wrongNodeConfigurationsNameTheAttribute() {
        assertTrue(refused(new ConfigurationBuilder()).getMessage().contains("memcachedNodes is required"));
        assertEquals("memcachedNodes", refused(nodes("bogus")).attribute());
        assertEquals("memcachedNodes", refused(nodes("n1:a:1,n1:b:2")).attribute());
        assertEquals("memcachedNodes", refused(nodes("n1:a:99999")).attribute());
        assertEquals("failoverNodes", refused(nodes("n1:a:1,n2:b:2").set("failoverNodes", "n3")).attribute());
        assertEquals("failoverNodes", refused(nodes("n1:a:1,n2:b:2").set("failoverNodes", "n1,n2")).attribute());
        assertEquals("failoverNodes", refused(nodes("a:1").set("failoverNodes", "n1")).attribute());
    }

    @Test
    void wrongValuesAreRefusedWithAttributeValueAndExpectation() {
        ConfigurationException e = refused(nodes("n1:a:1").set("sessionBackupAsync", "yes"));
        assertEquals("Manager attribute sessionBackupAsync=\"yes\" is invalid: expected true or false",
                e.getMessage());
        assertEquals("operationTimeout", refused(nodes("n1:a:1").set("operationTimeout", "-1")).attribute());
        assertEquals("backupThreadCount", refused(nodes("n1:a:1").set("backupThreadCount", "x")).attribute());
        assertEquals("requestUriIgnorePattern",
                refused(nodes("n1:a:1").set("requestUriIgnorePattern", "*.png")).attribute());
        assertEquals("memcachedProtocol", refused(nodes("n1:a:1").set("memcachedProtocol", "udp")).attribute());
        assertEquals("storageKeyPrefix", refused(nodes("n1:a:1").set("storageKeyPrefix", "hostname")).attribute());
        assertEquals("classAllowList", refused(nodes("n1:a:1").set("classAllowList", "com..x")).attribute());
        assertEquals("Manager attribute classAllowListMode=\"strict\" is invalid: expected enforce or report",
                refused(nodes("n1:a:1").set("classAllowListMode", "strict")).getMessage());
        assertEquals("sticky", refused(nodes("n1:a:1").set("sticky", "no")).attribute());
        assertEquals("lockingMode", refused(nodes("n1:a:1").set("lockingMode", "sometimes")).attribute());
        assertEquals("lockingMode", refused(nodes("n1:a:1").set("lockingMode", "uriPattern:(")).attribute());
        assertEquals("lockExpiration", refused(nodes("n1:a:1").set("lockExpiration", "1")).attribute());
        assertEquals("lockTimeout", refused(nodes("n1:a:1").set("lockTimeout", "-5")).attribute());
        assertEquals("Manager attribute backupCopyBeforeResponse=\"later\" is invalid: expected true or false",
                refused(nodes("n1:a:1").set("backupCopyBeforeResponse", "later")).getMessage());
        assertEquals("maxSessionSize", refused(nodes("n1:a:1").set("maxSessionSize", "1m")).attribute());
        assertEquals("maxSessionSize", refused(nodes("n1:a:1").set("maxSessionSize", "100")).attribute());
    }

    @Test
    void maxSessionSizeLeavesRoomForKeyAndHeaderInMemcachedsDefaultItem() {
        assertEquals(1_000_000, nodes("n1:a:1").build().maxSessionSize());
        assertEquals(4_000_000, nodes("n1:a:1").set("maxSessionSize", "4000000").build().maxSessionSize());
    }

    @Test
    void saslNeedsBothCredentialsAndTheBinaryProtocol() {
        assertThrows(ConfigurationException.class, () -> nodes("n1:a:1").set("username", "u").build());
        assertEquals("memcachedProtocol",
                refused(nodes("n1:a:1").set("username", "u").set("password", "p")).attribute());
        Configuration config = nodes("n1:a:1").set("username", "u").set("password", "secret")
                .set("memcachedProtocol", "binary").build();
        assertEquals("u", config.username());
        assertFalse(config.toString().contains("secret"), config.toString());
    }

    @Test
    void encryptionKeyFileSealsSessionsAndAWrongOneNamesFileAndLine(@TempDir Path dir) throws IOException {
        assertFalse(nodes("n1:a:1").build().sealsSessions());
        Path keys = Files.writeString(dir.resolve("memsession.keys"),
                "k1 " + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        Configuration config = nodes("n1:a:1").set("encryptionKeyFile", keys.toString()).build();
        assertTrue(config.sealsSessions());
        assertTrue(config.toString().contains("encryptionKeyFile=" + keys + " (keys k1 (k1 seals))"),
                config.toString());
        Path wrong = Files.writeString(dir.resolve("wrong.keys"), "# keys\nk1 AAAA\n");
        ConfigurationException e = refused(nodes("n1:a:1").set("encryptionKeyFile", wrong.toString()));
        assertEquals("Manager attribute encryptionKeyFile=\"" + wrong + "\" is invalid: line 2: the key of 'k1' has "
                + "3 bytes; expected 32 (e.g. openssl rand -base64 32)", e.getMessage());
        assertEquals("encryptionKeyFile",
                refused(nodes("n1:a:1").set("encryptionKeyFile", dir.resolve("missing").toString())).attribute());
    }

    @Test
    void msmImportIsOnWithoutSealingOffWithItAndAnExplicitWindowEndsAtItsInstant(@TempDir Path dir)
            throws IOException {
        long now = System.currentTimeMillis();
        assertTrue(nodes("n1:a:1").build().importsMsmSessions(now));
        Path keys = Files.writeString(dir.resolve("memsession.keys"),
                "k1 " + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        ConfigurationBuilder sealed = nodes("n1:a:1").set("encryptionKeyFile", keys.toString());
        assertFalse(sealed.build().importsMsmSessions(now),
                "an unsealed session is what someone without the key plants");
        assertFalse(nodes("n1:a:1").set("msmImport", "off").build().importsMsmSessions(now));

        Configuration window = sealed.set("msmImport", "until 2027-01-31T00:00Z").build();
        long end = java.time.Instant.parse("2027-01-31T00:00:00Z").toEpochMilli();
        assertTrue(window.importsMsmSessions(end - 1));
        assertFalse(window.importsMsmSessions(end));
        assertTrue(window.toString().contains("msmImport=until 2027-01-31T00:00Z"), window.toString());
        assertTrue(nodes("n1:a:1").set("msmImport", "UNTIL 2027-01-31T01:00+01:00").build()
                .importsMsmSessions(end - 1));

        assertEquals("Manager attribute msmImport=\"until 2027-01-31\" is invalid: expected auto, off, or until and "
                + "a date and time with its offset, e.g. until 2027-01-31T00:00Z",
                refused(nodes("n1:a:1").set("msmImport", "until 2027-01-31")).getMessage());
        assertEquals("msmImport", refused(nodes("n1:a:1").set("msmImport", "yes")).attribute());
    }

    @Test
    void msmJavaSerializerNameIsAnAlias() {
        assertEquals("io.memsession.serializer.java.JavaTranscoderFactory",
                nodes("n1:a:1").set("transcoderFactoryClass", "de.javakaffee.web.msm.JavaSerializationTranscoderFactory")
                        .build().transcoderFactoryClass());
    }

    @Test
    void msmSerializersAndConvertersWithoutCounterpartStopTheStartNamingWhatToUse() {
        ConfigurationException xstream = refused(nodes("n1:a:1").set("transcoderFactoryClass",
                "de.javakaffee.web.msm.serializer.xstream.XStreamTranscoderFactory"));
        assertEquals("transcoderFactoryClass", xstream.attribute());
        assertTrue(xstream.getMessage().contains("memsession has no XStream serializer: use "
                + "io.memsession.serializer.kryo.KryoTranscoderFactory or the default, "
                + "io.memsession.serializer.java.JavaTranscoderFactory"), xstream.getMessage());
        assertTrue(refused(nodes("n1:a:1").set("transcoderFactoryClass",
                "de.javakaffee.web.msm.serializer.json.JSONTranscoderFactory")).getMessage().contains("flexjson"));
        assertTrue(refused(nodes("n1:a:1").set("transcoderFactoryClass",
                "de.javakaffee.web.msm.serializer.javolution.JavolutionTranscoderFactory")).getMessage()
                .contains("Javolution"));

        ConfigurationException wicket = refused(nodes("n1:a:1")
                .set("transcoderFactoryClass", "de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory")
                .set("customConverter", "de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration,"
                        + "de.javakaffee.web.msm.serializer.kryo.WicketSerializerFactory"));
        assertEquals("customConverter", wicket.attribute());
        assertTrue(wicket.getMessage().startsWith("Manager attribute customConverter=\""
                + "de.javakaffee.web.msm.serializer.kryo.WicketSerializerFactory\" is invalid"), wicket.getMessage());
        assertTrue(wicket.getMessage().contains("remove it from customConverter"), wicket.getMessage());
        assertTrue(refused(nodes("n1:a:1").set("customConverter",
                "de.javakaffee.web.msm.serializer.kryo.CompatibleFieldSerializerFactory")).getMessage()
                .contains("io.memsession.serializer.kryo.CompatibleFieldSerializerRegistration"));

        Configuration joda = nodes("n1:a:1")
                .set("transcoderFactoryClass", "de.javakaffee.web.msm.serializer.kryo.KryoTranscoderFactory")
                .set("customConverter", "de.javakaffee.web.msm.serializer.kryo.JodaDateTimeRegistration").build();
        assertEquals("io.memsession.serializer.kryo.KryoTranscoderFactory", joda.transcoderFactoryClass());
    }

    @Test
    void msmsRedisAndCouchbaseUrlsAreRefused() {
        for (String url : new String[] {"redis://mc1:6379", "http://cb1:8091/pools"}) {
            ConfigurationException e = refused(nodes(url));
            assertEquals("memcachedNodes", e.attribute());
            assertTrue(e.getMessage().contains("Redis and Couchbase URLs have no counterpart"), e.getMessage());
        }
    }

    @Test
    void lockingModeWordsInAnyCaseAsMsmReadThem() {
        assertEquals("all", nodes("n1:a:1").set("lockingMode", "ALL").build().lockingMode().toString());
        assertEquals("auto", nodes("n1:a:1").set("lockingMode", "Auto").build().lockingMode().toString());
        assertEquals("lockingMode", refused(nodes("n1:a:1").set("lockingMode", "URIPATTERN:/x")).attribute());
    }

    @Test
    void typedValuesForMsmsGettersAreReadAsAtStart() {
        ConfigurationBuilder builder = nodes("n1:a:1").set("sticky", "FALSE").set("operationTimeout", "250");
        assertFalse(builder.booleanValue("sticky"));
        assertEquals(250, builder.intValue("operationTimeout"));
        assertEquals(Runtime.getRuntime().availableProcessors(), builder.intValue("backupThreadCount"));
        assertEquals("Manager attribute sessionBackupAsync=\"yes\" is invalid: expected true or false",
                assertThrows(ConfigurationException.class,
                        () -> builder.set("sessionBackupAsync", "yes").booleanValue("sessionBackupAsync"))
                        .getMessage());
    }

    @Test
    void attributeFilterMatchesWholeNames() {
        Configuration config = nodes("n1:a:1").set("sessionAttributeFilter", "user|cart").build();
        assertTrue(config.storesAttribute("cart"));
        assertFalse(config.storesAttribute("cartItems"));
    }

    @Test
    void tomcatsAttributeFiltersAreApplied() {
        Configuration config = nodes("n1:a:1").set("sessionAttributeFilter", "user|cart|tmp")
                .tomcatFilters("user|cart", "java\\.lang\\.String", false).build();
        assertTrue(config.storesAttribute("cart"));
        assertFalse(config.storesAttribute("tmp"), "Tomcat's name filter too");
        assertTrue(config.storesValue("a string"));
        assertFalse(config.storesValue(42));
        assertFalse(config.classAllowList().allows("java.lang.Integer"));
        assertTrue(nodes("n1:a:1").build().storesValue(42));
    }

    @Test
    void startUpNamesWhatIsOpenUntilAnAllowListIsEnforced() {
        String open = SessionEngine.exposure(nodes("n1:a:1").build());
        assertTrue(open.contains("anyone who can write to memcached") && open.contains("classAllowList")
                && open.contains("encryptionKeyFile"), open);
        assertTrue(SessionEngine.exposure(nodes("n1:a:1").set("classAllowList", "com.example.*")
                .set("classAllowListMode", "report").build()).contains("report mode"));
        assertNull(SessionEngine.exposure(nodes("n1:a:1").set("classAllowList", "com.example.*").build()));
    }

    @Test
    void blankValuesRestoreDefaults() {
        ConfigurationBuilder builder = nodes("n1:a:1").set("operationTimeout", "5").set("operationTimeout", " ");
        assertEquals("1000", builder.get("operationTimeout"));
        assertThrows(IllegalArgumentException.class, () -> builder.set("lockingModeX", "1"));
    }

    private static ConfigurationBuilder sasl() {
        return nodes("n1:a:1").set("username", "u").set("memcachedProtocol", "binary");
    }

    @Test
    void passwordFromTheFirstLineOfPasswordFile(@TempDir Path directory) throws IOException {
        Path file = Files.write(directory.resolve("memcached.password"),
                "  s3cret-from-file \nsecond line\n".getBytes(StandardCharsets.UTF_8));
        Configuration config = sasl().set("passwordFile", file.toString()).build();
        assertEquals("s3cret-from-file", config.password());
        assertFalse(config.toString().contains("s3cret"), config.toString());
    }

    @Test
    void passwordFileThatCannotBeReadNamesAttributeAndPath(@TempDir Path directory) throws IOException {
        Path missing = directory.resolve("missing.password");
        ConfigurationException e = refused(sasl().set("passwordFile", missing.toString()));
        assertEquals("passwordFile", e.attribute());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path empty = Files.write(directory.resolve("empty.password"), new byte[0]);
        assertEquals("passwordFile", refused(sasl().set("passwordFile", empty.toString())).attribute());
    }

    @Test
    void passwordAndPasswordFileTogetherAreRefused(@TempDir Path directory) throws IOException {
        Path file = Files.write(directory.resolve("memcached.password"), "from-file".getBytes(StandardCharsets.UTF_8));
        ConfigurationException e = refused(sasl().set("password", "inline-secret").set("passwordFile",
                file.toString()));
        assertTrue(e.getMessage().contains("password and passwordFile are both set"), e.getMessage());
        assertFalse(e.getMessage().contains("inline-secret") || e.getMessage().contains("from-file"), e.getMessage());
    }

    @Test
    void tlsTrustStoreIsReadAtBuild() throws Exception {
        try (TestCertificates certificates = TestCertificates.create("IP:127.0.0.1")) {
            Configuration config = nodes("n1:a:1").set("tls", "true")
                    .set("tlsTrustStoreFile", certificates.trustStore().toString())
                    .set("tlsTrustStorePassword", TestCertificates.TRUST_STORE_PASSWORD).build();
            assertTrue(config.tls());
            assertEquals(1, config.tlsTrustStore().size(), "the test authority");
            assertFalse(config.toString().contains(TestCertificates.TRUST_STORE_PASSWORD), config.toString());
            assertNull(nodes("n1:a:1").set("tls", "true").build().tlsTrustStore(), "the JVM's trust");
            assertFalse(nodes("n1:a:1").build().tls());
        }
    }

    @Test
    void wrongTrustStoreSettingsNameTheAttributeNeverThePassword(@TempDir Path directory) throws IOException {
        try (TestCertificates certificates = TestCertificates.create("IP:127.0.0.1")) {
            String trustStore = certificates.trustStore().toString();
            ConfigurationException wrongPassword = refused(nodes("n1:a:1").set("tls", "true")
                    .set("tlsTrustStoreFile", trustStore).set("tlsTrustStorePassword", "not-the-password"));
            assertEquals("tlsTrustStorePassword", wrongPassword.attribute());
            assertFalse(wrongPassword.getMessage().contains("not-the-password"), wrongPassword.getMessage());

            ConfigurationException noPassword = refused(nodes("n1:a:1").set("tls", "true")
                    .set("tlsTrustStoreFile", trustStore));
            assertTrue(noPassword.getMessage().contains("without tlsTrustStorePassword"), noPassword.getMessage());

            Path missing = directory.resolve("missing.p12");
            ConfigurationException noFile = refused(nodes("n1:a:1").set("tls", "true")
                    .set("tlsTrustStoreFile", missing.toString()));
            assertEquals("tlsTrustStoreFile", noFile.attribute());
            assertTrue(noFile.getMessage().contains(missing.toString()), noFile.getMessage());

            Path garbage = Files.write(directory.resolve("garbage.p12"), "not a store".getBytes(StandardCharsets.UTF_8));
            assertEquals("tlsTrustStoreFile", refused(nodes("n1:a:1").set("tls", "true")
                    .set("tlsTrustStoreFile", garbage.toString())).attribute());
            assertEquals("tls", refused(nodes("n1:a:1").set("tlsTrustStoreFile", trustStore)).attribute());
            assertEquals("tls", refused(nodes("n1:a:1").set("tls", "yes")).attribute());
        }
    }

    @Test
    void closestNameOfAMisspeltAttribute() {
        ConfigurationBuilder builder = new ConfigurationBuilder();
        assertEquals("password", builder.closestName("passwd"));
        assertEquals("memcachedNodes", builder.closestName("memcachedNode"));
        assertEquals("tlsTrustStoreFile", builder.closestName("tlstruststorefile"));
        assertNull(builder.closestName("pathname"));
    }
}
