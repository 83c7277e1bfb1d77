package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.apache.catalina.LifecycleException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.memsession.testkit.WebClient;

/**
 * A wrong {@code <Manager>} attribute stops the context from starting, and Tomcat's log says which attribute, which
 * value, and what is expected; nothing is silently ignored.
 */
class ConfigurationErrorsTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    @AutoClose
    private final LogRecorder log = LogRecorder.of("org.apache.catalina");

    private void assertContextDoesNotStart(Consumer<MemcachedSessionManager> configuration, String... inLog) {
        assertThrows(LifecycleException.class, () -> EmbeddedTomcat.start("tc1", manager -> {
            manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1"));
            configuration.accept(manager);
        }).close());
        List<String> reports = log.warningsContaining(inLog);
        assertFalse(reports.isEmpty(), "a log line naming " + List.of(inLog) + " in " + log.warnings());
    }

    @ParameterizedTest(name = "{0}=\"{1}\"")
    @CsvSource(delimiter = '|', value = {
        "sessionBackupAsync | yes    | expected true or false",
        "memcachedNodes     | bogus  | nodeId:host:port",
        "operationTimeout   | -1     | from 1",
        "failoverNodes      | n7     | not a node id",
        "storageKeyPrefix   | domain | unknown token",
        "maxSessionSize     | 1MB    | from 1024",
        "classAllowListMode | strict | expected enforce or report",
        "tls                | yes    | expected true or false",
        "msmImport          | until tomorrow | until and a date and time with its offset",
    })
    void invalidValueStopsTheContext(String attribute, String value, String expected) {
        assertContextDoesNotStart(manager -> ManagerAttributes.set(manager, attribute, value),
                attribute + "=\"" + value + "\"", expected);
    }

    @Test
    void wrongKeyFileStopsTheContextNamingFileAndLineButNoKey(@TempDir Path dir) throws Exception {
        String keyLookingText = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo-MDEyMzQ1";
        Path keys = Files.writeString(dir.resolve("memsession.keys"), "# keys\nk1 " + keyLookingText + "\n");
        assertContextDoesNotStart(manager -> manager.setEncryptionKeyFile(keys.toString()),
                "encryptionKeyFile=\"" + keys + "\"", "line 2: the key of 'k1' is not valid base64");
        assertFalse(log.warnings().toString().contains(keyLookingText.substring(0, 12)), log.warnings().toString());
        Path missing = dir.resolve("missing.keys");
        assertContextDoesNotStart(manager -> manager.setEncryptionKeyFile(missing.toString()),
                "encryptionKeyFile=\"" + missing + "\"", "cannot be read");
    }

    @Test
    void unknownAttributeStopsTheContext() {
        // what Tomcat's digester does with an attribute that has no setter
        assertContextDoesNotStart(manager -> manager.setProperty("lockingModeX", "1"), "no attribute lockingModeX",
                "did you mean lockingMode?");
    }

    @Test
    void misspeltPasswordIsNamedWithoutItsValue() {
        try (LogRecorder everything = LogRecorder.of("")) {
            assertContextDoesNotStart(manager -> manager.setProperty("passwd", "hunter2-secret"),
                    "no attribute passwd (did you mean password?)");
            for (String line : everything.lines()) {
                assertFalse(line.contains("hunter2-secret"), line);
            }
        }
    }

    @Test
    void invalidSecretIsNamedWithoutItsValue(@TempDir Path directory) throws IOException {
        Path notATrustStore = Files.write(directory.resolve("trust.p12"), new byte[] {1, 2, 3});
        try (LogRecorder everything = LogRecorder.of("")) {
            assertContextDoesNotStart(manager -> {
                manager.setTls("true");
                manager.setTlsTrustStoreFile(notATrustStore.toString());
                manager.setTlsTrustStorePassword("store-secret");
            }, "tlsTrustStoreFile");
            for (String line : everything.lines()) {
                assertFalse(line.contains("store-secret"), line);
            }
        }
    }

    @Test
    void passwordFileThatIsMissingStopsTheContextNamingAttributeAndPath(@TempDir Path directory) {
        String missing = directory.resolve("memcached.password").toString();
        assertContextDoesNotStart(manager -> {
            manager.setMemcachedProtocol("binary");
            manager.setUsername("sessions");
            manager.setPasswordFile(missing);
        }, "passwordFile=\"" + missing + "\"", "cannot read the file");
    }

    @Test
    void passwordAndPasswordFileTogetherStopTheContext(@TempDir Path directory) throws IOException {
        Path file = Files.write(directory.resolve("memcached.password"), "from-file".getBytes(StandardCharsets.UTF_8));
        assertContextDoesNotStart(manager -> {
            manager.setMemcachedProtocol("binary");
            manager.setUsername("sessions");
            manager.setPassword("inline-secret");
            manager.setPasswordFile(file.toString());
        }, "password and passwordFile are both set");
    }

    @Test
    void invalidValueSetAtRuntimeIsRefusedAndTheOldOneStays() throws Exception {
        try (EmbeddedTomcat tomcat = EmbeddedTomcat.start("tc1",
                manager -> manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1")));
             WebClient browser = new WebClient()) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> tomcat.manager().setMemcachedNodes("bogus"));
            assertTrue(refused.getMessage().contains("memcachedNodes=\"bogus\""), refused.getMessage());
            assertEquals("n1:" + MEMCACHED.process("n1").address(), tomcat.manager().getMemcachedNodes());
            Page page = Page.of(browser.get(tomcat.port(), "/"));
            assertTrue(page.id().endsWith("-n1.tc1"), page.id());
        }
    }
}
