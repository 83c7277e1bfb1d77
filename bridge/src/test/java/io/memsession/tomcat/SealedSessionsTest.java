package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.memsession.core.format.SessionSeal;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * Sealed sessions ({@code encryptionKeyFile}): they move between Tomcats as any session, memcached holds nothing
 * readable of them, keys rotate, and whatever no configured key sealed (planted, forged, sealed with a key removed
 * since) costs its sender a new session without any of its content being read. Memcached nodes {@code n1} and
 * {@code n2}; planted sessions go to {@code n1}.
 */
class SealedSessionsTest {

    private static final String SECRET_VALUE = "attribute-value-4711";

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final WebClient otherBrowser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");
    @AutoClose
    private final LogRecorder everything = LogRecorder.of("");
    @TempDir
    Path dir;
    private final Random random = new Random(20261202L);
    private Path keys;

    @BeforeEach
    void keyFile() throws Exception {
        keys = PlantedSessions.keyFile(dir, "memsession.keys", random, "k1");
        System.clearProperty(PlantedSessions.GADGET_RAN);
    }

    private EmbeddedTomcat start(String jvmRoute, String authMethod, Path keyFile, String... attributes)
            throws Exception {
        List<String> all = new ArrayList<>(Arrays.asList(attributes));
        if (keyFile != null) {
            all.addAll(List.of("encryptionKeyFile", keyFile.toString()));
        }
        return tomcats.add(EmbeddedTomcat.start(jvmRoute, authMethod, ManagerAttributes.configuration(
                MEMCACHED.memcachedNodes(), all.toArray(new String[0]))));
    }

    private static String nodeId(String id) {
        return id.substring(id.indexOf('-') + 1, id.contains(".") ? id.indexOf('.') : id.length());
    }

    private static MemcachedInspector nodeOf(String id) {
        return MEMCACHED.inspector(nodeId(id));
    }

    private static byte[] stored(String key, String id) {
        return await().atMost(5, SECONDS).until(() -> nodeOf(id).get(key), notNullValue());
    }

    private static void assertShowsNothing(byte[] blob, String... secrets) {
        String text = new String(blob, StandardCharsets.ISO_8859_1);
        for (String secret : secrets) {
            assertFalse(text.contains(secret), "memcached shows '" + secret + "'");
        }
    }

    private static String plantedId(String route) {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            id.append(Character.toUpperCase(Character.forDigit(ThreadLocalHolder.RANDOM.nextInt(16), 16)));
        }
        return id + "-n1" + (route == null ? "" : "." + route);
    }

    /** Ids of planted sessions need only differ. */
    private static final class ThreadLocalHolder {
        static final Random RANDOM = new Random(7);
    }

    @Test
    void stickySessionMovesToAnotherTomcatAndMemcachedShowsNothingOfIt() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "FORM", keys);
        EmbeddedTomcat tc2 = start("tc2", "FORM", keys);
        Logins.form(browser, tc1.port(), "/protected/page");
        String id = Page.of(browser.get(tc1.port(), "/set?secret=" + SECRET_VALUE)).id();

        assertShowsNothing(stored(id, id), SECRET_VALUE, "secret", EmbeddedTomcat.USER, "FORM",
                "GenericPrincipal", id.substring(0, 32));

        Page onTc2 = Page.of(browser.get(tc2.port(), "/protected/page"));
        assertEquals(EmbeddedTomcat.USER, onTc2.get("user"), onTc2.toString());
        assertEquals(SECRET_VALUE, onTc2.get("secret"));
        assertTrue(log.warnings().isEmpty(), log.warnings().toString());
    }

    @Test
    void nonStickySessionAndItsBackupCopyAreSealed() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", null, keys, "sticky", "false");
        EmbeddedTomcat tc2 = start("tc2", null, keys, "sticky", "false");
        String id = Page.of(browser.get(tc1.port(), "/set?secret=" + SECRET_VALUE)).id();
        assertEquals(SECRET_VALUE, Page.of(browser.get(tc2.port(), "/read")).get("secret"));

        assertShowsNothing(stored(id, id), SECRET_VALUE, "secret", id.substring(0, 32));
        String copyNode = nodeId(id).equals("n1") ? "n2" : "n1";
        byte[] copy = await().atMost(5, SECONDS).until(() -> MEMCACHED.inspector(copyNode).get("bak:" + id),
                notNullValue());
        assertShowsNothing(copy, SECRET_VALUE, "secret", id.substring(0, 32));

        MEMCACHED.process(nodeId(id)).kill();
        Page restored = Page.of(browser.get(tc2.port(), "/read"));
        assertEquals(SECRET_VALUE, restored.get("secret"), "the sealed copy opens: " + restored);
    }

    @Test
    void keysRotateWithoutDroppingSessionsUntilTheOldKeyIsRemoved() throws Exception {
        Path newKey = PlantedSessions.keyFile(dir, "new.keys", random, "k2");
        Path rotated = PlantedSessions.concat(dir, "rotated.keys", newKey, keys);
        EmbeddedTomcat tc1 = start("tc1", null, keys);
        String first = Page.of(browser.get(tc1.port(), "/set?a=one")).id();
        String second = Page.of(otherBrowser.get(tc1.port(), "/set?a=two")).id();

        EmbeddedTomcat tc2 = start("tc2", null, rotated);
        Page opened = Page.of(browser.get(tc2.port(), "/read"));
        assertEquals("one", opened.get("a"), "sealed with the old key, opened after the rotation");
        assertNotEquals(first, opened.id());
        assertTrue(new String(stored(opened.id(), opened.id()), StandardCharsets.ISO_8859_1).contains("k2"),
                "written again with the new first key");

        EmbeddedTomcat tc3 = start("tc3", null, newKey);
        Page dropped = Page.of(otherBrowser.get(tc3.port(), "/read"));
        assertNull(dropped.get("a"), "the old key is gone: a new session " + dropped);
        assertNotEquals(second.substring(0, 32), dropped.id().substring(0, 32));
        assertNull(nodeOf(second).get(second), "and the session it sealed is deleted");
        assertEquals("one", Page.of(browser.get(tc3.port(), "/read")).get("a"), "sealed with the new key");
        assertEquals(1, log.warningsContaining("k1").size(), log.warnings().toString());
    }

    @Test
    void plantedGadgetRunsWithoutAKeyAndNeverWithOne() throws Exception {
        EmbeddedTomcat open = start("tc1", null, null);
        String control = plantedId("tc0");
        MEMCACHED.inspector("n1").set(control, gadget(SessionSeal.none(), control), 0);
        browser.setCookie("JSESSIONID", control);
        browser.get(open.port(), "/read");
        assertEquals("true", System.getProperty(PlantedSessions.GADGET_RAN), "without a key the gadget runs");
        System.clearProperty(PlantedSessions.GADGET_RAN);

        EmbeddedTomcat sealed = start("tc2", null, keys);
        Path forgersKey = PlantedSessions.keyFile(dir, "forger.keys", random, "k1");
        Path unknownKey = PlantedSessions.keyFile(dir, "unknown.keys", random, "k9");
        List<SessionSeal> plants = List.of(SessionSeal.none(), PlantedSessions.seal(forgersKey),
                PlantedSessions.seal(unknownKey), PlantedSessions.seal(unknownKey));
        for (SessionSeal plant : plants) {
            String id = plantedId("tc0");
            MEMCACHED.inspector("n1").set(id, gadget(plant, id), 0);
            browser.setCookie("JSESSIONID", id);
            Page page = Page.of(browser.get(sealed.port(), "/read"));
            assertNotEquals(id.substring(0, 32), page.id().substring(0, 32), "a new session");
            assertNull(page.get("gadget"));
            assertNull(MEMCACHED.inspector("n1").get(id), "the planted session is deleted");
        }
        assertNull(System.getProperty(PlantedSessions.GADGET_RAN), "the gadget never ran with a key");
        assertEquals(plants.size(), sealed.manager().getMsmStatNumUnreadableSessions());
        assertEquals(1, log.warningsContaining("k9").size(), "once per key id: " + log.warnings());
        assertEquals(1, log.warningsContaining("not sealed").size(), log.warnings().toString());
    }

    private static byte[] gadget(SessionSeal seal, String id) {
        return PlantedSessions.blob(seal, id, Map.of("gadget", new PlantedSessions.Gadget()), null, null);
    }

    @Test
    void forgedPrincipalIsNoLogin() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "FORM", keys);
        Path forgersKey = PlantedSessions.keyFile(dir, "forger.keys", random, "k1");
        for (SessionSeal plant : List.of(SessionSeal.none(), PlantedSessions.seal(forgersKey))) {
            String id = plantedId("tc0");
            MEMCACHED.inspector("n1").set(id, PlantedSessions.blob(plant, id, Map.of(), "FORM",
                    tc1.manager().storable(TomcatLine.principal("mallory", "user", "admin"))), 0);
            browser.setCookie("JSESSIONID", id);
            WebClient.Response page = browser.get(tc1.port(), "/protected/page");
            assertFalse(page.body().contains("mallory"), page.toString());
            assertTrue(page.body().contains("j_security_check"), "the login page: " + page);
            assertNull(MEMCACHED.inspector("n1").get(id));
        }
    }

    @Test
    void hugeLengthInEveryHeaderFieldCostsANewSession() throws Exception {
        EmbeddedTomcat unsealed = start("tc1", null, null);
        EmbeddedTomcat sealed = start("tc2", null, keys);
        int webappLength = 7 + "java".length();
        int bodyOrKeyId = webappLength + 2 + "localhost".length();
        int id = bodyOrKeyId + 8 + 8 + 8 + 8 + 4 + 1;
        int authType = id + 2 + plantedId("tc0").length();
        int principal = authType + 2;
        int attributes = principal + 4;
        Map<Integer, Integer> unsealedFields = Map.of(6, 1, webappLength, 2, id, 2, authType, 2, principal, 4,
                attributes, 4);
        Map<Integer, Integer> sealedFields = Map.of(6, 1, webappLength, 2, bodyOrKeyId, 1);
        for (boolean seal : new boolean[] {false, true}) {
            for (Map.Entry<Integer, Integer> field : (seal ? sealedFields : unsealedFields).entrySet()) {
                String planted = plantedId("tc0");
                byte[] blob = PlantedSessions.blob(seal ? PlantedSessions.seal(keys) : SessionSeal.none(), planted,
                        Map.of(), null, null);
                ByteBuffer forged = ByteBuffer.wrap(blob);
                int offset = field.getKey();
                switch (field.getValue()) {
                    case 1 -> forged.put(offset, (byte) 0xff);
                    case 2 -> forged.putShort(offset, (short) 0xffff);
                    default -> forged.putInt(offset, Integer.MAX_VALUE);
                }
                MEMCACHED.inspector("n1").set(planted, blob, 0);
                browser.setCookie("JSESSIONID", planted);
                Page page = Page.of(browser.get((seal ? sealed : unsealed).port(), "/read"));
                assertNotEquals(planted.substring(0, 32), page.id().substring(0, 32), "offset " + offset);
                assertNull(MEMCACHED.inspector("n1").get(planted), "offset " + offset + ": deleted");
            }
        }
        assertEquals(unsealedFields.size(), unsealed.manager().getMsmStatNumUnreadableSessions());
        assertEquals(sealedFields.size(), sealed.manager().getMsmStatNumUnreadableSessions());
        assertTrue(everything.errors().isEmpty(), everything.errors().toString());
    }
}
