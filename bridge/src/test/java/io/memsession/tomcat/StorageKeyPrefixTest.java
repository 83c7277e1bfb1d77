package io.memsession.tomcat;

import static io.memsession.tomcat.MemcachedCluster.nodeOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * {@code storageKeyPrefix}: keys carry the prefix, and sessions are still found on their node, whatever characters
 * the prefix holds (memcached-session-manager lost the node of keys whose prefix contained '-' or '.'). The test
 * application runs at {@code /my-app} on Tomcats {@code tc1}/{@code tc2}, with memcached nodes {@code n1}, {@code n2}.
 */
class StorageKeyPrefixTest {

    private static final String CONTEXT = "/my-app";

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();

    private EmbeddedTomcat start(String jvmRoute, String storageKeyPrefix) throws Exception {
        return tomcats.add(EmbeddedTomcat.startAt(CONTEXT, jvmRoute, manager -> {
            manager.setMemcachedNodes(MEMCACHED.memcachedNodes());
            manager.setStorageKeyPrefix(storageKeyPrefix);
        }));
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), CONTEXT + path));
    }

    /** {@code context.hash}: the first 8 hex digits of the context name's SHA-256, as memcached-session-manager. */
    private static String contextHash() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(CONTEXT.getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            hex.append(String.format("%02x", digest[i]));
        }
        return hex.toString();
    }

    @ParameterizedTest(name = "storageKeyPrefix=\"{0}\"")
    @CsvSource({
        "static:my-app.v1, my-app.v1_",
        "host,             localhost_",
        "context,          /my-app_",
        "context.hash,     HASH_",
    })
    void keysCarryThePrefixAndSessionsAreFoundOnTheirNode(String storageKeyPrefix, String expected)
            throws Exception {
        String prefix = expected.replace("HASH", contextHash());
        EmbeddedTomcat tc1 = start("tc1", storageKeyPrefix);
        EmbeddedTomcat tc2 = start("tc2", storageKeyPrefix);
        Map<String, String> sessionPerNode = new LinkedHashMap<>();
        for (int i = 0; i < 50 && sessionPerNode.size() < 2; i++) { // new sessions go to random nodes
            browser.clearCookies();
            String id = get(tc1, "/set?a=" + i).id();
            sessionPerNode.put(nodeOf(id), id);
        }
        assertEquals(2, sessionPerNode.size(), "sessions on both nodes");

        for (Map.Entry<String, String> session : sessionPerNode.entrySet()) {
            MemcachedInspector node = MEMCACHED.inspector(session.getKey());
            String id = session.getValue();
            assertNotNull(node.get(prefix + id), "stored under " + prefix + id);
            assertNull(node.get(id), "not stored under the bare id");

            browser.setCookie("JSESSIONID", id);
            Page onTc2 = get(tc2, "/");
            assertEquals(id.replace(".tc1", ".tc2"), onTc2.id(), "tc2 found the session on its node");
            assertEquals(1, onTc2.counter());
            assertNotNull(node.get(prefix + onTc2.id()));
        }
        for (String node : List.of("n1", "n2")) {
            for (String key : MEMCACHED.inspector(node).keys()) {
                assertTrue(key.startsWith(prefix), key);
            }
        }
    }
}
