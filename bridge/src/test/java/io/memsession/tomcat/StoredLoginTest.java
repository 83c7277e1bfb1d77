package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import org.apache.catalina.realm.MemoryRealm;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.core.format.PrincipalCodec;
import io.memsession.core.format.StoredSession;
import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * Logins as memcached holds them: no password there, and a login planted there counts only as far as the
 * application's realm confirms it (sessions are not sealed here). Tomcats {@code tc1}/{@code tc2} with BASIC or FORM
 * login: {@code /protected/*} needs the role {@code user}, which the realm gives {@link EmbeddedTomcat#USER}, and
 * {@code /admin/*} the role {@code admin}, which it gives nobody. Memcached node {@code n1}.
 */
class StoredLoginTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector n1 = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");

    private EmbeddedTomcat start(String jvmRoute, String authMethod, String... attributes) throws Exception {
        return tomcats.add(EmbeddedTomcat.start(jvmRoute, authMethod,
                ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1"), attributes)));
    }

    private Page get(EmbeddedTomcat tomcat, String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    private static boolean contains(byte[] stored, String text) {
        return new String(stored, StandardCharsets.ISO_8859_1).contains(text);
    }

    /**
     * What an attacker who can write to memcached does: the session's stored login replaced by one of their own
     * making, in the form memsession stores a login.
     */
    private void plantLogin(EmbeddedTomcat tomcat, String sessionId, String user, String... roles) throws Exception {
        StoredSession stored = StoredAttributes.ROOT_CONTEXT.decode(n1.get(sessionId));
        byte[] login = new PrincipalCodec(List.of(), getClass().getClassLoader())
                .encode(tomcat.manager().storable(TomcatLine.principal(user, roles)), Map.of());
        n1.set(sessionId, StoredAttributes.ROOT_CONTEXT.encode(new StoredSession(stored.id(), stored.creationTime(),
                stored.lastAccessedTime(), stored.thisAccessedTime(), stored.writeNumber(),
                stored.maxInactiveInterval(), stored.isNew(), "BASIC", login, stored.serializerId(),
                stored.attributes())), 0);
    }

    private static String withRoute(String id, String route) {
        return id.substring(0, id.indexOf('.') + 1) + route;
    }

    @Test
    void basicLoginIsStoredWithoutThePasswordAndSurvivesAFailover() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC");
        EmbeddedTomcat tc2 = start("tc2", "BASIC");
        get(tc1, "/");
        String id = Logins.basic(browser, tc1.port(), "/protected/x").id();

        byte[] stored = n1.get(id);
        assertTrue(contains(stored, EmbeddedTomcat.USER), "the login is stored");
        assertFalse(contains(stored, EmbeddedTomcat.PASSWORD), "the password is not");

        WebClient.Response onTc2 = browser.get(tc2.port(), "/protected/x"); // no credentials sent
        assertEquals(200, onTc2.status(), onTc2.toString());
        assertEquals(EmbeddedTomcat.USER, Page.of(onTc2).get("user"));
        assertEquals(403, browser.get(tc2.port(), "/admin/x").status(), "the realm's roles, as before");
    }

    @Test
    void formLoginIsStoredWithoutThePasswordAndSurvivesAFailover() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "FORM");
        EmbeddedTomcat tc2 = start("tc2", "FORM");
        String id = Logins.form(browser, tc1.port(), "/protected/x").id();

        byte[] stored = n1.get(id);
        assertTrue(contains(stored, EmbeddedTomcat.USER), "the login is stored");
        assertFalse(contains(stored, EmbeddedTomcat.PASSWORD), "the password is not");

        Page onTc2 = get(tc2, "/protected/x");
        assertEquals(EmbeddedTomcat.USER, onTc2.get("user"), "no new login: " + onTc2);
        assertEquals(withRoute(id, "tc2"), onTc2.id());
    }

    @Test
    void plantedLoginOfAUserTheRealmDoesNotKnowLogsNobodyIn() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC");
        EmbeddedTomcat tc2 = start("tc2", "BASIC");
        String id = get(tc1, "/").id();
        plantLogin(tc1, id, "mallory", "admin", "user");

        WebClient.Response admin = browser.get(tc2.port(), "/admin/x");

        assertEquals(401, admin.status(), "not logged in: " + admin);
        assertEquals(401, browser.get(tc2.port(), "/protected/x").status());
        Page session = get(tc2, "/read");
        assertEquals(withRoute(id, "tc2"), session.id(), "the session is kept");
        assertEquals(1, session.counter(), "with its attributes");
        assertNull(session.get("user"));
        assertEquals(1, log.warningsContaining("mallory", "does not confirm").size(), log.warnings().toString());
        await().atMost(5, SECONDS).until(() -> !contains(n1.get(withRoute(id, "tc2")), "mallory"));
    }

    @Test
    void plantedAdminRoleOfARealUserIsNotGiven() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC");
        EmbeddedTomcat tc2 = start("tc2", "BASIC");
        String id = get(tc1, "/").id();
        plantLogin(tc1, id, EmbeddedTomcat.USER, "admin", "user");

        WebClient.Response admin = browser.get(tc2.port(), "/admin/x");

        assertEquals(403, admin.status(), "logged in with the realm's roles only: " + admin);
        assertEquals(EmbeddedTomcat.USER, get(tc2, "/protected/x").get("user"));
    }

    /** A realm whose look-up by name fails, as one whose database or directory is down. */
    static final class RealmThatCannotLookUp extends MemoryRealm {
        @Override
        public Principal authenticate(String username) {
            throw new IllegalStateException("the user database is down");
        }
    }

    @Test
    void loginTheRealmCannotConfirmNowLogsNobodyInAndTheSessionIsKept() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC");
        EmbeddedTomcat tc2 = start("tc2", "BASIC");
        get(tc1, "/");
        String id = Logins.basic(browser, tc1.port(), "/protected/x").id();
        RealmThatCannotLookUp realm = new RealmThatCannotLookUp();
        realm.setPathname(((MemoryRealm) tc2.context().getRealm()).getPathname());
        tc2.context().setRealm(realm);

        WebClient.Response onTc2 = browser.get(tc2.port(), "/protected/x");

        assertEquals(401, onTc2.status(), "not logged in: " + onTc2);
        Page session = get(tc2, "/read");
        assertEquals(withRoute(id, "tc2"), session.id(), "the session is kept");
        assertEquals(1, session.counter(), "with its attributes");
        assertEquals(1, log.warningsContaining(EmbeddedTomcat.USER, "does not confirm").size(),
                log.warnings().toString());
    }

    @Test
    void nonStickyPlantedLoginOfAUserTheRealmDoesNotKnowLogsNobodyIn() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC", "sticky", "false");
        String id = get(tc1, "/").id();
        plantLogin(tc1, id, "mallory", "admin", "user");

        WebClient.Response admin = browser.get(tc1.port(), "/admin/x");

        assertEquals(401, admin.status(), "not logged in: " + admin);
        Page session = get(tc1, "/read");
        assertEquals(id, session.id(), "the session is kept");
        assertEquals(1, session.counter(), "with its attributes");
        assertNull(session.get("user"));
    }

    @Test
    void nonStickyPlantedAdminRoleOfARealUserIsNotGiven() throws Exception {
        EmbeddedTomcat tc1 = start("tc1", "BASIC", "sticky", "false");
        String id = get(tc1, "/").id();
        plantLogin(tc1, id, EmbeddedTomcat.USER, "admin", "user");

        WebClient.Response admin = browser.get(tc1.port(), "/admin/x");

        assertEquals(403, admin.status(), "logged in with the realm's roles only: " + admin);
        assertEquals(EmbeddedTomcat.USER, get(tc1, "/protected/x").get("user"));
    }
}
