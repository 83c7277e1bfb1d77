package io.memsession.tomcat;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.memsession.testkit.MemcachedInspector;
import io.memsession.testkit.WebClient;

/**
 * One application's session is never another's: two web applications on one Tomcat, {@code /a} and {@code /b}, with
 * the same Manager (as declared once in {@code conf/context.xml}) on one memcached node and the default
 * {@code storageKeyPrefix}, so their sessions share one key space. The session cookie's path is {@code /}, so the
 * browser sends {@code /a}'s id to {@code /b} and Tomcat proposes it for {@code /b}'s new session.
 */
class WebappIsolationTest {

    @RegisterExtension
    static final MemcachedCluster MEMCACHED = new MemcachedCluster("n1");

    private final MemcachedInspector inspector = MEMCACHED.inspector("n1");
    @RegisterExtension
    final RunningTomcats tomcats = new RunningTomcats();
    @AutoClose
    private final WebClient browser = new WebClient();

    @ParameterizedTest(name = "sticky={0}")
    @ValueSource(strings = {"true", "false"})
    void loginOnOneApplicationIsNoLoginOnAnother(String sticky) throws Exception {
        EmbeddedTomcat tomcat = tomcats.add(EmbeddedTomcat.startTwoApplications("/a", "/b", "FORM",
                context -> context.setSessionCookiePath("/"),
                ManagerAttributes.configuration(MEMCACHED.memcachedNodes("n1"), "sticky", sticky,
                        "lockingMode", "auto")));
        Page loggedIn = Logins.form(browser, tomcat.port(), "/a", "/a/protected/page");
        String id = loggedIn.id();
        byte[] storedForA = await().atMost(5, SECONDS).until(() -> inspector.get(id), notNullValue());

        WebClient.Response onB = browser.get(tomcat.port(), "/b/protected/page");
        assertFalse(onB.body().contains("user=" + EmbeddedTomcat.USER), onB.toString());
        assertEquals(200, onB.status(), "the login page of /b: " + onB);
        assertNotNull(onB.body().contains("j_security_check") ? onB : null, "/b asks for its own login: " + onB);
        browser.setCookie("JSESSIONID", id);
        Page other = Page.of(browser.get(tomcat.port(), "/b/set?b=1"));
        assertNotEquals(id, other.id(), "/b gives a new session");
        assertEquals(other.id(), other.response().setCookieValue("JSESSIONID"), "with a new cookie");
        assertNull(other.get("user"), other.toString());
        await().atMost(5, SECONDS).until(() -> inspector.get(other.id()), notNullValue());

        assertArrayEquals(storedForA, inspector.get(id), "/a's stored session is untouched");
        browser.setCookie("JSESSIONID", id);
        Page backOnA = Page.of(browser.get(tomcat.port(), "/a/protected/page"));
        assertEquals(id, backOnA.id());
        assertEquals(EmbeddedTomcat.USER, backOnA.get("user"), "/a still knows its user: " + backOnA);
        assertEquals(0, tomcat.manager().getMsmStatNumUnreadableSessions()
                + tomcat.secondManager().getMsmStatNumUnreadableSessions());
    }
}
