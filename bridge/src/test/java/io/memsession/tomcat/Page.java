package io.memsession.tomcat;

import java.util.LinkedHashMap;
import java.util.Map;

import io.memsession.testkit.WebClient;

/** The {@code name=value} lines {@link TestServlet} answers with. */
final class Page {

    /** A JSP that counts its session's requests and answers as {@link TestServlet} does, for the real distributions. */
    static final String COUNTER_JSP = "<%@ page contentType=\"text/plain;charset=UTF-8\" "
            + "trimDirectiveWhitespaces=\"true\" %><%\n"
            + "    Integer counter = (Integer) session.getAttribute(\"counter\");\n"
            + "    counter = counter == null ? 1 : counter + 1;\n"
            + "    session.setAttribute(\"counter\", counter);\n"
            + "%>id=<%= session.getId() %>\n"
            + "counter=<%= counter %>\n";

    private final WebClient.Response response;
    private final Map<String, String> values = new LinkedHashMap<>();

    private Page(WebClient.Response response) {
        this.response = response;
        for (String line : response.body().split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
    }

    static Page of(WebClient.Response response) {
        if (response.status() != 200) {
            throw new AssertionError("expected 200, got " + response);
        }
        return new Page(response);
    }

    String id() {
        return values.get("id");
    }

    String get(String name) {
        return values.get(name);
    }

    int counter() {
        return Integer.parseInt(values.get("counter"));
    }

    WebClient.Response response() {
        return response;
    }

    @Override
    public String toString() {
        return response.toString();
    }
}
