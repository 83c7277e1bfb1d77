package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MsmSessions;
import io.memsession.testkit.WebClient;

/**
 * Sessions memcached-session-manager (msm) left in memcached, laid out as msm 2.3 stores them (the migration test
 * {@code MsmMigrationIT} has the real msm write them): memsession continues them and writes its own format from then
 * on; what it cannot or may not import it leaves in memcached, so a rollback to msm finds it. Node {@code n1},
 * default key prefix (the key is the session id), the test application's counter.
 */
class MsmImportTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector n1 = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");
    @TempDir
    Path dir;

    private EmbeddedTomcat start(String jvmRoute, String... attributes) throws Exception {
        return tomcats.start(jvmRoute, MEMCACHED.memcachedNodes("n1"), attributes);
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    private static int ids;

    /** An id as msm made them for node n1 and route tc1. */
    private static String msmId() {
        return String.format("%032X", 0xABCDEF00L + ++ids) + "-n1.tc1";
    }

    private static byte[] msmSession(String id, int counter) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("counter", counter);
        attributes.put("cart", "book, pen");
        return MsmSessions.blob(2, id, System.currentTimeMillis(), 1800, MsmSessions.NO_AUTH, null,
                MsmSessions.javaAttributes(attributes));
    }

    private static boolean isMemsessions(byte[] stored) {
        return stored != null && new String(stored, 0, 4, StandardCharsets.ISO_8859_1).equals("MSES");
    }

    @Test
    void stickySessionMsmWroteContinuesAndIsWrittenInMemsessionsFormat() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sessionBackupAsync", "false");
        String id = msmId();
        n1.set(id, msmSession(id, 5), 0);
        browser.setCookie("JSESSIONID", id);

        Page page = get(tc1, "/");

        assertEquals(id, page.id(), "the same session");
        assertEquals(6, page.counter());
        assertEquals("book, pen", page.get("cart"));
        assertTrue(isMemsessions(n1.get(id)), "written in memsession's format");
        assertEquals(1, log.lines().stream()
                .filter(line -> line.contains("imports the sessions memcached-session-manager wrote")).count(),
                log.lines().toString());
        assertEquals(7, get(tc1, "/").counter());
    }

    @Test
    void takeOverOfAnMsmSessionMovesItToThisTomcatsRoute() throws Exception {
        EmbeddedTomcat tc2 = start("tc2");
        String id = msmId();
        n1.set(id, msmSession(id, 5), 0);
        browser.setCookie("JSESSIONID", id);

        Page page = get(tc2, "/");

        assertEquals(id.replace(".tc1", ".tc2"), page.id());
        assertEquals(6, page.counter());
        await().atMost(5, SECONDS).until(() -> isMemsessions(n1.get(page.id())));
    }

    @Test
    void nonStickySessionContinuesWithMsmsAccessTimes() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sticky", "false");
        String id = msmId();
        n1.set(id, msmSession(id, 5), 0);
        long now = System.currentTimeMillis();
        n1.set("validity:" + id, MsmSessions.validity(1800, now - 1000, now - 1000), 0);
        browser.setCookie("JSESSIONID", id);

        assertEquals(6, get(tc1, "/").counter());
        assertTrue(isMemsessions(n1.get(id)), "written before the response, in memsession's format");
        assertEquals(7, get(tc1, "/").counter());
    }

    @Test
    void nonStickySessionMsmsAccessTimesSayExpiredIsNotRevived() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sticky", "false");
        String id = msmId();
        byte[] stored = msmSession(id, 5);
        n1.set(id, stored, 0);
        long hourAgo = System.currentTimeMillis() - 3_600_000;
        n1.set("validity:" + id, MsmSessions.validity(1800, hourAgo, hourAgo), 0);
        browser.setCookie("JSESSIONID", id);

        Page page = get(tc1, "/");

        assertNotEquals(id, page.id(), "a new session");
        assertEquals(1, page.counter());
    }

    @Test
    void msmSessionThatCannotBeReadIsLeftInMemcachedAndLoggedOnce() throws Exception {
        EmbeddedTomcat tc1 = start("tc1");
        String first = msmId();
        String second = msmId();
        byte[] notJava = MsmSessions.blob(2, first, System.currentTimeMillis(), 1800, MsmSessions.NO_AUTH, null,
                new byte[] {1, 2, 3, 4, 5, 6}); // e.g. msm's Kryo without memsession's Kryo jar
        n1.set(first, notJava, 0);
        n1.set(second, notJava, 0);

        browser.setCookie("JSESSIONID", first);
        Page page = get(tc1, "/");
        browser.setCookie("JSESSIONID", second);
        get(tc1, "/");

        assertNotEquals(first, page.id(), "a new session");
        assertEquals(1, page.counter());
        assertArrayEquals(notJava, n1.get(first), "left as msm wrote it, for a rollback");
        assertArrayEquals(notJava, n1.get(second));
        assertEquals(1, log.warningsContaining("memcached-session-manager", "left in memcached").size(),
                log.warnings().toString());
        assertEquals(2, tc1.manager().getMsmStatNumUnreadableSessions());
    }

    @Test
    void valueInNoFormatMemsessionKnowsIsLeftInMemcached() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "sticky", "false");
        String id = msmId();
        byte[] other = "written by something else".getBytes(StandardCharsets.US_ASCII);
        n1.set(id, other, 0);
        browser.setCookie("JSESSIONID", id);

        Page page = get(tc1, "/");

        assertNotEquals(id, page.id(), "a new session");
        assertArrayEquals(other, n1.get(id));
        assertEquals(1, log.warningsContaining(id, "not in memsession's format").size(), log.warnings().toString());
    }

    @Test
    void sealedSessionsImportNothingUnlessAWindowIsSet() throws Exception {
        Path keys = PlantedSessions.keyFile(dir, "memsession.keys", new Random(13), "k1");
        EmbeddedTomcat sealed = start("tc1", "encryptionKeyFile", keys.toString());
        String id = msmId();
        byte[] planted = msmSession(id, 5);
        n1.set(id, planted, 0);
        browser.setCookie("JSESSIONID", id);

        Page refused = get(sealed, "/");

        assertNotEquals(id, refused.id(), "an unsealed session is what someone without the key plants");
        assertArrayEquals(planted, n1.get(id), "left for msm");
        assertEquals(1, log.warningsContaining(id, "msmImport=\"auto\"", "sealed").size(), log.warnings().toString());

        EmbeddedTomcat window = start("tc2", "encryptionKeyFile", keys.toString(), "msmImport",
                "until 2999-01-01T00:00Z");
        browser.setCookie("JSESSIONID", id);
        Page imported = get(window, "/");
        assertEquals(id.replace(".tc1", ".tc2"), imported.id());
        assertEquals(6, imported.counter());
    }

    @Test
    void msmImportOffLeavesMsmsSessions() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "msmImport", "off");
        String id = msmId();
        byte[] stored = msmSession(id, 5);
        n1.set(id, stored, 0);
        browser.setCookie("JSESSIONID", id);

        assertEquals(1, get(tc1, "/").counter());
        assertArrayEquals(stored, n1.get(id));
    }
}
