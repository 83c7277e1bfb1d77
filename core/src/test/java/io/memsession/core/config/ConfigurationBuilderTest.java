package io.memsession.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals("sticky", refused(nodes("n1:a:1").set("sticky", "no")).attribute());
        assertEquals("lockingMode", refused(nodes("n1:a:1").set("lockingMode", "sometimes")).attribute());
        assertEquals("lockingMode", refused(nodes("n1:a:1").set("lockingMode", "uriPattern:(")).attribute());
        assertEquals("lockExpiration", refused(nodes("n1:a:1").set("lockExpiration", "1")).attribute());
        assertEquals("lockTimeout", refused(nodes("n1:a:1").set("lockTimeout", "-5")).attribute());
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
    void msmJavaSerializerNameIsAnAlias() {
        assertEquals("io.memsession.serializer.java.JavaTranscoderFactory",
                nodes("n1:a:1").set("transcoderFactoryClass", "de.javakaffee.web.msm.JavaSerializationTranscoderFactory")
                        .build().transcoderFactoryClass());
    }

    @Test
    void attributeFilterMatchesWholeNames() {
        Configuration config = nodes("n1:a:1").set("sessionAttributeFilter", "user|cart").build();
        assertTrue(config.storesAttribute("cart"));
        assertFalse(config.storesAttribute("cartItems"));
    }

    @Test
    void blankValuesRestoreDefaults() {
        ConfigurationBuilder builder = nodes("n1:a:1").set("operationTimeout", "5").set("operationTimeout", " ");
        assertEquals("1000", builder.get("operationTimeout"));
        assertThrows(IllegalArgumentException.class, () -> builder.set("lockingModeX", "1"));
    }
}
