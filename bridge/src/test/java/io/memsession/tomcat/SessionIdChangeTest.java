package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * A session whose id changes (session fixation protection) moves its stored copy with it: the old key goes, the new
 * key holds the session. One Tomcat {@code tc1}, one memcached node {@code n1}.
 */
class SessionIdChangeTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    /** The Tomcat the test started last. */
    private EmbeddedTomcat tomcat;
    @AutoClose
    private final WebClient browser = new WebClient();


    private void startTomcat(String authMethod) throws Exception {
        tomcat = tomcats.add(EmbeddedTomcat.start("tc1", authMethod,
                manager -> manager.setMemcachedNodes(MEMCACHED.memcachedNodes("n1"))));
    }

    private Page get(String path) {
        return Page.of(browser.get(tomcat.port(), path));
    }

    @Test
    void changeSessionIdMovesTheStoredCopyOfAnUnchangedSession() throws Exception {
        startTomcat(null);
        String oldId = get("/").id();

        Page changed = get("/changeId");

        assertNotEquals(oldId, changed.id());
        assertTrue(changed.id().matches("[0-9A-F]{32}-n1\\.tc1"), changed.id());
        assertEquals(changed.id(), changed.response().setCookieValue("JSESSIONID"));
        assertEquals(1, changed.counter());
        assertNull(inspector.get(oldId), "the copy under the old id is deleted");
        assertNotNull(inspector.get(changed.id()), "the session is stored under its new id");
        Page next = get("/");
        assertEquals(changed.id(), next.id());
        assertEquals(2, next.counter());
    }

    @Test
    void sessionWithNewIdSurvivesATomcatRestart() throws Exception {
        startTomcat(null);
        get("/set?a=x");
        String newId = get("/changeId").id();
        tomcat.close();
        startTomcat(null);

        Page page = get("/read");

        assertEquals(newId, page.id());
        assertEquals("x", page.get("a"));
    }

    @Test
    void formLoginRotatesTheIdAndMovesTheStoredCopy() throws Exception {
        startTomcat("FORM");
        String beforeLogin = get("/").id();

        Page loggedIn = Logins.form(browser, tomcat.port(), "/protected/x");

        assertNotEquals(beforeLogin, loggedIn.id(), "Tomcat changes the id on authentication");
        assertTrue(loggedIn.id().matches("[0-9A-F]{32}-n1\\.tc1"), loggedIn.id());
        assertEquals(loggedIn.id(), browser.cookie("JSESSIONID"));
        assertNull(inspector.get(beforeLogin), "the copy under the old id is deleted");
        assertNotNull(inspector.get(loggedIn.id()), "the session is stored under its new id");
        assertEquals(1, get("/read").counter(), "the session kept its attributes");
    }
}
