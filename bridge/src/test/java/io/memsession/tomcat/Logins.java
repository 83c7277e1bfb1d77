package io.memsession.tomcat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Map;

import io.memsession.testkit.WebClient;

/** Logging in the way a browser does, against an {@link EmbeddedTomcat} started with FORM or BASIC login. */
final class Logins {

    private Logins() {
    }

    /**
     * Asks for {@code protectedPath}, gets the login page, posts the credentials and follows the redirect back.
     *
     * @return the protected page
     */
    static Page form(WebClient browser, int port, String protectedPath) {
        return form(browser, port, "", protectedPath);
    }

    /** The same, in the web application at {@code contextPath} ("/app"; "" for the root). */
    static Page form(WebClient browser, int port, String contextPath, String protectedPath) {
        WebClient.Response loginPage = browser.get(port, protectedPath);
        assertEquals(200, loginPage.status(), loginPage.toString());
        assertTrue(loginPage.body().contains("j_security_check"), "login page expected: " + loginPage);
        WebClient.Response redirect = browser.post(port, contextPath + "/j_security_check",
                Map.of("j_username", EmbeddedTomcat.USER, "j_password", EmbeddedTomcat.PASSWORD));
        assertTrue(redirect.status() == 302 || redirect.status() == 303, redirect.toString());
        String location = redirect.header("Location");
        assertNotNull(location, redirect.toString());
        Page page = Page.of(browser.get(port, URI.create(location).getRawPath()));
        assertEquals(EmbeddedTomcat.USER, page.get("user"), page.toString());
        return page;
    }

    /** Asks for {@code protectedPath} with BASIC credentials. */
    static Page basic(WebClient browser, int port, String protectedPath) {
        Page page = Page.of(browser.request(port, "GET", protectedPath,
                WebClient.basicAuth(EmbeddedTomcat.USER, EmbeddedTomcat.PASSWORD), null));
        assertEquals(EmbeddedTomcat.USER, page.get("user"), page.toString());
        return page;
    }
}
