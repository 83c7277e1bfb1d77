package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
 * Logins in sessions memcached-session-manager wrote, in the form its jar for the line stored them
 * ({@link TomcatLine#msmLogin}): they hold, but only as far as the application's realm confirms the user, sealed or
 * not, since nothing authenticates what msm stored. {@code /protected/*} needs the role {@code user}, which the
 * realm gives {@link EmbeddedTomcat#USER}; {@code /admin/*} the role {@code admin}, which it gives nobody.
 */
class MsmLoginImportTest {

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

    private EmbeddedTomcat start(String... attributes) throws Exception {
        return tomcats.add(EmbeddedTomcat.start("tc1", "BASIC",
                ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1"), attributes)));
    }

    /** What msm stored for a user logged in with BASIC, with roles of the planter's choosing. */
    private String plantMsmLogin(String user, String... roles) {
        return plantMsmSession(n1, browser, TomcatLine.msmLogin(user, roles));
    }

    /**
     * Plants a session of msm's for tc1 on {@code node}, with a BASIC login stored as {@code login} and the attribute
     * counter 3, and gives the browser its id.
     */
    static String plantMsmSession(MemcachedInspector node, WebClient browser, byte[] login) {
        String id = String.format("%032X", new Random().nextLong() & Long.MAX_VALUE) + "-n1.tc1";
        node.set(id, MsmSessions.blob(2, id, System.currentTimeMillis(), 1800, MsmSessions.BASIC, login,
                MsmSessions.javaAttributes(Map.of("counter", 3))), 0);
        browser.setCookie("JSESSIONID", id);
        return id;
    }

    @Test
    void loginMsmStoredHoldsWithTheRealmsRoles() throws Exception {
        EmbeddedTomcat tomcat = start();
        String id = plantMsmLogin(EmbeddedTomcat.USER, "user", "admin");

        WebClient.Response page = browser.get(tomcat.port(), "/protected/x"); // no credentials sent

        assertEquals(200, page.status(), page.toString());
        assertEquals(EmbeddedTomcat.USER, Page.of(page).get("user"));
        assertEquals(id, Page.of(page).id());
        assertEquals(403, browser.get(tomcat.port(), "/admin/x").status(), "the realm's roles, not msm's");
        assertEquals(4, Page.of(browser.get(tomcat.port(), "/")).counter());
    }

    @Test
    void msmLoginOfAUserTheRealmDoesNotKnowLogsNobodyInAndTheSessionIsKept() throws Exception {
        EmbeddedTomcat tomcat = start();
        String id = plantMsmLogin("mallory", "user", "admin");

        assertEquals(401, browser.get(tomcat.port(), "/protected/x").status());
        Page session = Page.of(browser.get(tomcat.port(), "/"));
        assertEquals(id, session.id(), "the session is kept");
        assertEquals(4, session.counter(), "with its attributes");
        assertNull(session.get("user"));
        assertEquals(1, log.warningsContaining("mallory", "does not confirm").size(), log.warnings().toString());
    }

    @Test
    void aCutMsmLoginLogsNobodyInAndTheSessionIsKept() throws Exception {
        EmbeddedTomcat tomcat = start();
        byte[] login = TomcatLine.msmLogin(EmbeddedTomcat.USER, "user");
        String id = plantMsmSession(n1, browser, Arrays.copyOf(login, login.length - 3));

        assertEquals(401, browser.get(tomcat.port(), "/protected/x").status());
        Page session = Page.of(browser.get(tomcat.port(), "/"));
        assertEquals(id, session.id(), "the session is kept");
        assertEquals(4, session.counter(), "with its attributes");
        assertNull(session.get("user"));
        assertEquals(1, log.warningsContaining(id, "cannot be read", "log in again").size(), log.warnings().toString());
        assertEquals(List.of(), log.errors());
    }

    @Test
    void sealedWithAnImportWindowTheRealmStillDecides() throws Exception {
        Path keys = PlantedSessions.keyFile(dir, "memsession.keys", new Random(13), "k1");
        EmbeddedTomcat tomcat = start("encryptionKeyFile", keys.toString(), "msmImport", "until 2999-01-01T00:00Z");
        plantMsmLogin(EmbeddedTomcat.USER, "user", "admin");

        assertEquals(403, browser.get(tomcat.port(), "/admin/x").status(), "never the roles msm's session names");
        assertEquals(EmbeddedTomcat.USER, Page.of(browser.get(tomcat.port(), "/protected/x")).get("user"));
    }
}
