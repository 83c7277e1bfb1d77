package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MsmSessions;
import io.memsession.testkit.WebClient;

/**
 * Non-sticky, nodes {@code n1} and {@code n2}: a session memcached-session-manager wrote on {@code n1}, whose node is
 * down, is restored from msm's backup copy on {@code n2} ({@code bak:<id>}, with msm's access times beside it under
 * {@code bak:validity:<id>}), and goes on there in memsession's format.
 */
class MsmBackupImportTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1", "n2");

    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();

    @Test
    void msmsBackupCopyServesWhenTheSessionsNodeIsDown() throws Exception {
        EmbeddedTomcat tc1 = tomcats.start("tc1", MEMCACHED.memcachedNodes(), "sticky", "false");
        String id = "0123456789ABCDEF0123456789ABCDEF-n1.tc1";
        long now = System.currentTimeMillis();
        // msm rewrote a non-sticky session only when it changed: the blob's times are old, its validity's current
        byte[] msm = MsmSessions.blob(2, id, now - 7_200_000, 1800, MsmSessions.NO_AUTH, null,
                MsmSessions.javaAttributes(Map.of("counter", 5)));
        MEMCACHED.inspector("n2").set("bak:" + id, msm, 0);
        MEMCACHED.inspector("n2").set("bak:validity:" + id, MsmSessions.validity(1800, now, now), 0);
        MEMCACHED.process("n1").kill();
        await().atMost(10, SECONDS).until(() -> !tc1.manager().engine().canLoad(id));
        browser.setCookie("JSESSIONID", id);

        Page restored = Page.of(browser.get(tc1.port(), "/"));

        assertEquals(id.replace("-n1.", "-n2."), restored.id(), "moved to the node that held the copy");
        assertEquals(6, restored.counter());
        byte[] stored = MEMCACHED.inspector("n2").get(restored.id());
        assertTrue(stored != null && new String(stored, 0, 4, StandardCharsets.ISO_8859_1).equals("MSES"));
        assertEquals(7, Page.of(browser.get(tc1.port(), "/")).counter());
    }
}
