package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.catalina.ha.session.SerializablePrincipal;
import org.apache.catalina.realm.GenericPrincipal;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.MsmSessions;
import io.memsession.testkit.WebClient;

/**
 * Logins memcached-session-manager's jar for Tomcat 7 stored, written here by the class it wrote them with, Tomcat's
 * cluster principal ({@code SerializablePrincipal} of Tomcat 7's catalina-ha): they hold as far as the realm confirms
 * the user ({@link MsmLoginImportTest} runs the same rules on every line), the realm's password msm stored with them
 * is not written back, and the realm's user principal object in them is never deserialized.
 */
class MsmLoginImportTomcat7Test {

    private static final List<String> ROLES = List.of("admin", "user"); // sorted, as Tomcat's principal keeps them
    private static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector n1 = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();
    @AutoClose
    private final LogRecorder log = LogRecorder.of("io.memsession");

    /** A realm's user principal (JAAS and custom realms have one) whose deserialization shows. */
    static final class RealmUser implements Principal, Serializable {
        private static final long serialVersionUID = 1L;
        private final String name;

        RealmUser(String name) {
            this.name = name;
        }

        @Override
        public String getName() {
            return name;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            DESERIALIZED.set(true);
            in.defaultReadObject();
        }
    }

    /** The login as msm's Tomcat 7 jar stored it: Tomcat's cluster principal written into an object stream. */
    private static byte[] writtenByTomcatsCluster(GenericPrincipal principal) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ObjectOutputStream out = new ObjectOutputStream(bytes);
        SerializablePrincipal.writePrincipal(principal, out);
        out.flush();
        return bytes.toByteArray();
    }

    private EmbeddedTomcat start() throws Exception {
        return tomcats.add(EmbeddedTomcat.start("tc1", "BASIC",
                ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1"), "sessionBackupAsync", "false")));
    }

    @Test
    void testkitWritesWhatTomcatsClusterPrincipalWrites() throws IOException {
        assertArrayEquals(writtenByTomcatsCluster(new GenericPrincipal(EmbeddedTomcat.USER, EmbeddedTomcat.PASSWORD,
                ROLES)), TomcatLine.msmLogin(EmbeddedTomcat.USER, ROLES.toArray(new String[0])));
        RealmUser realmUser = new RealmUser(EmbeddedTomcat.USER);
        assertArrayEquals(writtenByTomcatsCluster(new GenericPrincipal(EmbeddedTomcat.USER, null, List.of(),
                realmUser)), MsmSessions.tomcat7Principal(EmbeddedTomcat.USER, null, List.of(), realmUser));
    }

    @Test
    void loginHoldsWithTheRealmsRolesAndItsStoredPasswordIsNotWrittenBack() throws Exception {
        EmbeddedTomcat tomcat = start();
        String id = MsmLoginImportTest.plantMsmSession(n1, browser, writtenByTomcatsCluster(
                new GenericPrincipal(EmbeddedTomcat.USER, EmbeddedTomcat.PASSWORD, ROLES)));

        WebClient.Response page = browser.get(tomcat.port(), "/protected/x"); // no credentials sent

        assertEquals(200, page.status(), page.toString());
        assertEquals(EmbeddedTomcat.USER, Page.of(page).get("user"));
        assertEquals(id, Page.of(page).id());
        assertEquals(403, browser.get(tomcat.port(), "/admin/x").status(), "the realm's roles, not msm's");
        assertEquals(4, Page.of(browser.get(tomcat.port(), "/")).counter());
        byte[] stored = n1.get(id);
        assertEquals("MSES", new String(stored, 0, 4, StandardCharsets.ISO_8859_1), "written in memsession's format");
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).contains(EmbeddedTomcat.PASSWORD),
                "the realm's password");
        assertEquals(List.of(), log.warningsBesidesStartUpExposure());
    }

    @Test
    void theRealmsUserPrincipalInTheLoginIsNeverDeserialized() throws Exception {
        EmbeddedTomcat tomcat = start();
        MsmLoginImportTest.plantMsmSession(n1, browser, writtenByTomcatsCluster(new GenericPrincipal(
                EmbeddedTomcat.USER, EmbeddedTomcat.PASSWORD, ROLES, new RealmUser(EmbeddedTomcat.USER))));

        WebClient.Response page = browser.get(tomcat.port(), "/protected/x");

        assertEquals(200, page.status(), page.toString());
        assertEquals(EmbeddedTomcat.USER, Page.of(page).get("user"));
        assertFalse(DESERIALIZED.get());
        assertTrue(log.errors().isEmpty(), log.errors().toString());
    }
}
