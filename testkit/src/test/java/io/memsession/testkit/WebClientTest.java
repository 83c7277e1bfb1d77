package io.memsession.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebClientTest {

    private final WebClient client = new WebClient();
    private HttpServer server;
    private HttpServer otherServer;

    @BeforeEach
    void startServers() throws IOException {
        server = startServer(FreePorts.find());
        otherServer = startServer(FreePorts.find());
    }

    @AfterEach
    void stopServers() {
        client.close();
        server.stop(0);
        otherServer.stop(0);
    }

    @Test
    void keepsCookiesAndSendsThemToEveryPort() {
        WebClient.Response response = client.get(port(server), "/login");

        assertEquals(200, response.status());
        assertEquals(List.of("SESSION=abc123; Path=/; HttpOnly", "theme=dark"), response.setCookies());
        assertEquals("abc123", response.setCookieValue("SESSION"));
        assertNull(response.setCookieValue("missing"));
        assertEquals("abc123", client.cookie("SESSION"));
        assertEquals("SESSION=abc123; theme=dark", client.get(port(server), "/echo-cookies").body());
        assertEquals("SESSION=abc123; theme=dark", client.get(port(otherServer), "/echo-cookies").body());
    }

    @Test
    void maxAgeZeroRemovesTheCookie() {
        client.get(port(server), "/login");

        client.get(port(server), "/logout");

        assertNull(client.cookie("SESSION"));
        assertEquals("theme=dark", client.get(port(server), "/echo-cookies").body());
    }

    @Test
    void expiresInThePastRemovesTheCookie() {
        client.setCookie("legacy", "1");

        client.get(port(server), "/expire-legacy");

        assertNull(client.cookie("legacy"));
    }

    @Test
    void cookiesCanBeSetAndCleared() {
        client.setCookie("JSESSIONID", "xyz.node1");
        assertEquals("JSESSIONID=xyz.node1", client.get(port(server), "/echo-cookies").body());

        client.clearCookies();
        assertEquals("", client.get(port(server), "/echo-cookies").body());
    }

    @Test
    void readsChunkedBodies() {
        WebClient.Response response = client.get(port(server), "/chunked");

        assertEquals("chunked", response.header("transfer-encoding"));
        assertEquals("part one, part two", response.body());
    }

    @Test
    void reusesTheConnectionBetweenRequests() {
        String firstClientPort = client.get(port(server), "/client-port").body();
        String secondClientPort = client.get(port(server), "/client-port").body();

        assertEquals(firstClientPort, secondClientPort);
    }

    @Test
    void opensANewConnectionAfterConnectionClose() {
        String closedClientPort = client.get(port(server), "/close").body();
        String nextClientPort = client.get(port(server), "/client-port").body();

        assertNotEquals(closedClientPort, nextClientPort);
    }

    @Test
    void resendsWhenTheServerDroppedTheIdleConnection() throws IOException {
        int port = port(server);
        client.get(port, "/client-port");
        server.stop(0);
        server = startServer(port);

        assertEquals(200, client.get(port, "/client-port").status());
    }

    @Test
    void postsUrlEncodedForms() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", "Zoë & co");
        form.put("n", "1");

        WebClient.Response response = client.post(port(server), "/echo-body", form);

        assertEquals("POST application/x-www-form-urlencoded name=Zo%C3%AB+%26+co&n=1", response.body());
    }

    @Test
    void sendsExtraHeaders() {
        WebClient.Response response = client.request(port(server), "PUT", "/echo-auth",
                WebClient.basicAuth("admin", "secret"), "x".getBytes(UTF_8));

        assertEquals("PUT Basic YWRtaW46c2VjcmV0", response.body());
    }

    private static int port(HttpServer server) {
        return server.getAddress().getPort();
    }

    private static HttpServer startServer(int port) throws IOException {
        HttpServer server = HttpServer.create(Loopback.address(port), 0);
        server.createContext("/login", exchange -> {
            exchange.getResponseHeaders().add("Set-Cookie", "SESSION=abc123; Path=/; HttpOnly");
            exchange.getResponseHeaders().add("Set-Cookie", "theme=dark");
            respond(exchange, "welcome");
        });
        server.createContext("/logout", exchange -> {
            exchange.getResponseHeaders().add("Set-Cookie", "SESSION=; Max-Age=0; Path=/");
            respond(exchange, "bye");
        });
        server.createContext("/expire-legacy", exchange -> {
            exchange.getResponseHeaders().add("Set-Cookie", "legacy=; Expires=Thu, 01-Jan-1970 00:00:10 GMT");
            respond(exchange, "bye");
        });
        server.createContext("/echo-cookies", exchange -> {
            String cookies = exchange.getRequestHeaders().getFirst("Cookie");
            respond(exchange, cookies == null ? "" : cookies);
        });
        server.createContext("/echo-body", exchange -> respond(exchange, exchange.getRequestMethod() + " "
                + exchange.getRequestHeaders().getFirst("Content-Type") + " "
                + new String(exchange.getRequestBody().readAllBytes(), UTF_8)));
        server.createContext("/echo-auth", exchange -> respond(exchange, exchange.getRequestMethod() + " "
                + exchange.getRequestHeaders().getFirst("Authorization")));
        server.createContext("/client-port", exchange ->
                respond(exchange, Integer.toString(exchange.getRemoteAddress().getPort())));
        server.createContext("/close", exchange -> {
            exchange.getResponseHeaders().add("Connection", "close");
            respond(exchange, Integer.toString(exchange.getRemoteAddress().getPort()));
        });
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write("part one, ".getBytes(UTF_8));
                body.flush();
                body.write("part two".getBytes(UTF_8));
            }
        });
        server.start();
        return server;
    }

    private static void respond(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=UTF-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
